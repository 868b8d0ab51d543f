from decimal import Decimal
from typing import Any

from django.test import TestCase

from campaign.register.forms import INDICATOR_FILTERS
from communities.indicators import (
    HardIndicator,
    IndicatorResult,
    Status,
    results_for,
    with_hard_indicators,
)
from communities.models import Community
from tests.base import ReferenceDataMixin, make_community


class HardIndicatorTests(ReferenceDataMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.load_reference_data()

    sequence = 0

    def evaluate(self, **figures: Any) -> dict[HardIndicator, IndicatorResult]:
        HardIndicatorTests.sequence += 1
        code = f"371002001{HardIndicatorTests.sequence:03d}"
        make_community(code, f"测试社区{self.sequence}", **figures)
        community = with_hard_indicators(Community.objects.all()).get(code=code)
        return {result.indicator: result for result in results_for(community)}

    def status(self, indicator: HardIndicator, **figures: Any) -> Status:
        return self.evaluate(**figures)[indicator].status

    # 专职工作者: at least 5, and one per 400 households at the loosest.
    def test_exactly_five_workers_for_2000_households_passes(self) -> None:
        result = self.evaluate(full_time_workers=5, households=2000)[HardIndicator.STAFFING]
        self.assertEqual(result.status, Status.PASS)
        self.assertEqual(result.required, Decimal(5))
        self.assertEqual(result.actual, Decimal(5))

    def test_one_household_more_needs_a_sixth_worker(self) -> None:
        result = self.evaluate(full_time_workers=5, households=2001)[HardIndicator.STAFFING]
        self.assertEqual(result.status, Status.FAIL)
        self.assertEqual(result.required, Decimal(6))

    def test_four_workers_fail_even_without_a_household_count(self) -> None:
        result = self.evaluate(full_time_workers=4, households=None)[HardIndicator.STAFFING]
        self.assertEqual(result.status, Status.FAIL)
        self.assertIsNone(result.required)
        self.assertEqual(result.minimum, Decimal(5))

    def test_enough_for_five_but_households_missing_cannot_be_judged(self) -> None:
        self.assertEqual(
            self.status(HardIndicator.STAFFING, full_time_workers=9, households=None),
            Status.MISSING,
        )

    def test_missing_worker_count(self) -> None:
        self.assertEqual(
            self.status(HardIndicator.STAFFING, full_time_workers=None), Status.MISSING
        )

    def test_zero_households(self) -> None:
        results = self.evaluate(
            households=0, full_time_workers=5, work_funds=60_000, service_area=Decimal(500)
        )
        self.assertEqual(results[HardIndicator.STAFFING].status, Status.PASS)
        self.assertEqual(results[HardIndicator.STAFFING].required, Decimal(5))
        self.assertEqual(results[HardIndicator.WORK_FUNDS].status, Status.PASS)
        self.assertEqual(results[HardIndicator.WORK_FUNDS].required, Decimal(6))
        self.assertEqual(results[HardIndicator.SERVICE_AREA].status, Status.PASS)
        self.assertEqual(results[HardIndicator.SERVICE_AREA].required, Decimal(500))

    # 工作经费: 3.6万 per 1,000 households (36 yuan each) and at least 6万.
    def test_work_funds_exactly_at_the_per_household_line(self) -> None:
        result = self.evaluate(households=2500, work_funds=90_000)[HardIndicator.WORK_FUNDS]
        self.assertEqual(result.status, Status.PASS)
        self.assertEqual(result.required, Decimal(9))
        self.assertEqual(result.actual, Decimal(9))
        self.assertEqual(result.unit, "万元")

    def test_work_funds_one_yuan_short(self) -> None:
        self.assertEqual(
            self.status(HardIndicator.WORK_FUNDS, households=2500, work_funds=89_999), Status.FAIL
        )

    def test_small_community_still_needs_six_wan(self) -> None:
        result = self.evaluate(households=1000, work_funds=59_999)[HardIndicator.WORK_FUNDS]
        self.assertEqual(result.status, Status.FAIL)
        self.assertEqual(result.required, Decimal(6))

    def test_work_funds_below_six_wan_fail_even_without_households(self) -> None:
        self.assertEqual(
            self.status(HardIndicator.WORK_FUNDS, households=None, work_funds=50_000), Status.FAIL
        )

    def test_missing_work_funds(self) -> None:
        self.assertEqual(self.status(HardIndicator.WORK_FUNDS, work_funds=None), Status.MISSING)

    # 党组织服务群众专项经费: 20万 a year.
    def test_party_fund_boundary(self) -> None:
        self.assertEqual(self.status(HardIndicator.PARTY_FUND, party_fund=200_000), Status.PASS)
        self.assertEqual(self.status(HardIndicator.PARTY_FUND, party_fund=199_999), Status.FAIL)
        self.assertEqual(self.status(HardIndicator.PARTY_FUND, party_fund=None), Status.MISSING)

    # 综合服务设施: 500 / 1000 / 500 ㎡ and 30 ㎡ per 100 households.
    def test_area_per_household_line_for_an_existing_urban_community(self) -> None:
        result = self.evaluate(households=2001, service_area=Decimal("600.30"))[
            HardIndicator.SERVICE_AREA
        ]
        self.assertEqual(result.status, Status.PASS)
        self.assertEqual(result.required, Decimal("600.3"))
        self.assertEqual(
            self.status(
                HardIndicator.SERVICE_AREA, households=2001, service_area=Decimal("600.29")
            ),
            Status.FAIL,
        )

    def test_new_urban_community_needs_1000(self) -> None:
        result = self.evaluate(
            construction=Community.Construction.NEW, households=2000, service_area=Decimal("999.99")
        )[HardIndicator.SERVICE_AREA]
        self.assertEqual(result.status, Status.FAIL)
        self.assertEqual(result.required, Decimal(1000))

    def test_small_area_fails_even_without_households(self) -> None:
        self.assertEqual(
            self.status(HardIndicator.SERVICE_AREA, households=None, service_area=Decimal(480)),
            Status.FAIL,
        )
        self.assertEqual(
            self.status(HardIndicator.SERVICE_AREA, households=None, service_area=Decimal(800)),
            Status.MISSING,
        )

    def test_rural_community(self) -> None:
        results = self.evaluate(
            kind=Community.Kind.RURAL,
            households=1000,
            service_area=Decimal(500),
            full_time_workers=2,
            work_funds=None,
            party_fund=None,
        )
        for indicator in (
            HardIndicator.STAFFING,
            HardIndicator.WORK_FUNDS,
            HardIndicator.PARTY_FUND,
        ):
            self.assertEqual(results[indicator].status, Status.NOT_APPLICABLE)
        self.assertEqual(results[HardIndicator.SERVICE_AREA].status, Status.PASS)
        self.assertEqual(results[HardIndicator.SERVICE_AREA].required, Decimal(500))

    def test_failures_and_gaps_are_counted_in_the_database(self) -> None:
        make_community("371002001901", "两项未达标", full_time_workers=3, party_fund=100_000)
        make_community(
            "371002001902", "缺数据", households=None, party_fund=None, full_time_workers=6
        )
        make_community("371002001903", "全部达标")
        counts = dict(
            with_hard_indicators(Community.objects.all()).values_list("name", "hi_failures")
        )
        gaps = dict(with_hard_indicators(Community.objects.all()).values_list("name", "hi_missing"))
        self.assertEqual(counts, {"两项未达标": 2, "缺数据": 0, "全部达标": 0})
        # Without households: staffing, work funds and area cannot be judged; party fund is empty.
        self.assertEqual(gaps, {"两项未达标": 0, "缺数据": 4, "全部达标": 0})
        failing = with_hard_indicators(Community.objects.all()).filter(INDICATOR_FILTERS["fail"])
        self.assertEqual([c.name for c in failing], ["两项未达标"])
