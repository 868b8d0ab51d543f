"""Hard indicators: figures from the community register checked against 威发〔2018〕39号.

Each check is one SQL expression, so a list can filter and count failing communities in the
database. All comparisons are integer arithmetic (money in yuan, area in hundredths of ㎡), so
SQLite and PostgreSQL agree exactly at the boundaries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.db.models import Case, Expression, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Round
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from communities.units import plain_decimal, yuan_to_wan

# 二（四）: 每300—400户居民配备1人 … 每个城市社区的专职工作者不少于5人
# (the looser 400 households per worker is the floor).
MIN_URBAN_WORKERS = 5
HOUSEHOLDS_PER_WORKER = 400
# 二（五）: 城市社区工作经费按照每千户每年不少于3.6万元，总额不低于6万元 (3.6万/千户 = 36元/户).
MIN_WORK_FUNDS_YUAN = 60_000
WORK_FUNDS_YUAN_PER_HOUSEHOLD = 36
# 二（五）: 城市社区党组织服务群众专项经费每个社区每年不少于20万元.
MIN_PARTY_FUND_YUAN = 200_000
# 二（六）: 已建成城市社区不低于500平方米、新建城市社区不低于1000平方米、农村社区不低于500平方米，
# 且每百户居民不低于30平方米 (0.3 ㎡ per household = 30 hundredths of ㎡).
MIN_AREA_M2_EXISTING_URBAN = 500
MIN_AREA_M2_NEW_URBAN = 1000
MIN_AREA_M2_RURAL = 500
AREA_CENTI_M2_PER_HOUSEHOLD = 30


class HardIndicatorCounts(TypedDict):
    hi_failures: int
    hi_missing: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    AnnotatedCommunity = WithAnnotations[Community, HardIndicatorCounts]


class HardIndicator(models.TextChoices):
    STAFFING = "staffing", _("专职工作者配备")
    WORK_FUNDS = "work_funds", _("社区工作经费")
    PARTY_FUND = "party_fund", _("党组织服务群众专项经费")
    SERVICE_AREA = "service_area", _("综合服务设施面积")


class Status(models.TextChoices):
    PASS = "pass", _("达标")
    FAIL = "fail", _("未达标")
    MISSING = "missing", _("缺少数据")
    NOT_APPLICABLE = "na", _("不适用")


RULES = {
    HardIndicator.STAFFING: _("城市社区专职工作者按每300—400户配备1人，每个社区不少于5人。"),
    HardIndicator.WORK_FUNDS: _("城市社区工作经费每千户每年不少于3.6万元，总额不低于6万元。"),
    HardIndicator.PARTY_FUND: _("城市社区党组织服务群众专项经费每个社区每年不少于20万元。"),
    HardIndicator.SERVICE_AREA: _(
        "综合服务设施面积：已建成城市社区不低于500㎡，新建城市社区不低于1000㎡，"
        "农村社区不低于500㎡，且每百户居民不低于30㎡。"
    ),
}
BASIS = {
    HardIndicator.STAFFING: _("威发〔2018〕39号 二（四）"),
    HardIndicator.WORK_FUNDS: _("威发〔2018〕39号 二（五）"),
    HardIndicator.PARTY_FUND: _("威发〔2018〕39号 二（五）"),
    HardIndicator.SERVICE_AREA: _("威发〔2018〕39号 二（六）"),
}

_URBAN = Q(kind=Community.Kind.URBAN)
_HOUSEHOLDS_KNOWN = Q(households__isnull=False)
_STATUS: "models.Field[Any, Any]" = models.CharField(max_length=10)
_INT: "models.Field[Any, Any]" = models.IntegerField()


def _status(*whens: When) -> Case:
    return Case(*whens, default=Value(Status.PASS.value), output_field=_STATUS)


def _base_area_centi_m2() -> Case:
    new_urban = _URBAN & Q(construction=Community.Construction.NEW)
    return Case(
        When(new_urban, then=Value(MIN_AREA_M2_NEW_URBAN * 100)),
        When(_URBAN, then=Value(MIN_AREA_M2_EXISTING_URBAN * 100)),
        default=Value(MIN_AREA_M2_RURAL * 100),
        output_field=_INT,
    )


def with_hard_indicators(queryset: QuerySet[Any]) -> "QuerySet[AnnotatedCommunity]":
    """Annotate each community (or anything with the register's figure fields, such as the
    figures a submission froze), per indicator, with hi_<key> (a Status), hi_<key>_required
    (the full requirement, NULL when it depends on a missing household count) and
    hi_<key>_minimum (the part of the requirement known without households)."""
    households = F("households")
    na = Value(Status.NOT_APPLICABLE.value)
    missing = Value(Status.MISSING.value)
    fail = Value(Status.FAIL.value)
    area_centi = Round(F("service_area") * Value(Decimal(100)), output_field=models.DecimalField())
    base_area = _base_area_centi_m2()
    required_area = Greatest(base_area, households * AREA_CENTI_M2_PER_HOUSEHOLD)

    annotated = queryset.annotate(
        hi_staffing_minimum=_if_urban(Value(MIN_URBAN_WORKERS)),
        hi_staffing_required=_if_urban_with_households(
            Greatest(
                Value(MIN_URBAN_WORKERS),
                (households + (HOUSEHOLDS_PER_WORKER - 1)) / HOUSEHOLDS_PER_WORKER,
            )
        ),
        hi_staffing=_status(
            When(~_URBAN, then=na),
            When(full_time_workers__isnull=True, then=missing),
            When(full_time_workers__lt=MIN_URBAN_WORKERS, then=fail),
            When(households__isnull=True, then=missing),
            When(households__gt=F("full_time_workers") * HOUSEHOLDS_PER_WORKER, then=fail),
        ),
        hi_work_funds_minimum=_if_urban(Value(MIN_WORK_FUNDS_YUAN)),
        hi_work_funds_required=_if_urban_with_households(
            Greatest(Value(MIN_WORK_FUNDS_YUAN), households * WORK_FUNDS_YUAN_PER_HOUSEHOLD)
        ),
        hi_work_funds=_status(
            When(~_URBAN, then=na),
            When(work_funds__isnull=True, then=missing),
            When(work_funds__lt=MIN_WORK_FUNDS_YUAN, then=fail),
            When(households__isnull=True, then=missing),
            When(work_funds__lt=households * WORK_FUNDS_YUAN_PER_HOUSEHOLD, then=fail),
        ),
        hi_party_fund_minimum=_if_urban(Value(MIN_PARTY_FUND_YUAN)),
        hi_party_fund_required=_if_urban(Value(MIN_PARTY_FUND_YUAN)),
        hi_party_fund=_status(
            When(~_URBAN, then=na),
            When(party_fund__isnull=True, then=missing),
            When(party_fund__lt=MIN_PARTY_FUND_YUAN, then=fail),
        ),
        hi_service_area_minimum=base_area,
        hi_service_area_required=Case(
            When(_HOUSEHOLDS_KNOWN, then=required_area), output_field=_INT
        ),
        hi_service_area=_status(
            When(service_area__isnull=True, then=missing),
            When(LessThan(area_centi, base_area), then=fail),
            When(households__isnull=True, then=missing),
            When(LessThan(area_centi, required_area), then=fail),
        ),
    )
    keys = [f"hi_{indicator.value}" for indicator in HardIndicator]
    return annotated.annotate(
        hi_failures=_count(keys, Status.FAIL),
        hi_missing=_count(keys, Status.MISSING),
    )


def _if_urban(expression: Expression) -> Case:
    return Case(When(_URBAN, then=expression), output_field=_INT)


def _if_urban_with_households(expression: Expression) -> Case:
    return Case(When(_URBAN & _HOUSEHOLDS_KNOWN, then=expression), output_field=_INT)


def _count(annotations: list[str], status: Status) -> Expression:
    total: Expression = Value(0)
    for name in annotations:
        total = total + Case(When(**{name: status.value}, then=Value(1)), default=Value(0))
    return ExpressionWrapper(total, output_field=_INT)


@dataclass(frozen=True)
class IndicatorResult:
    indicator: HardIndicator
    status: Status
    required: Decimal | None
    minimum: Decimal | None
    actual: Decimal | None
    unit: str

    @property
    def label(self) -> str:
        return str(self.indicator.label)

    @property
    def rule(self) -> str:
        return str(RULES[self.indicator])

    @property
    def basis(self) -> str:
        return str(BASIS[self.indicator])


def _centi_m2(value: int | None) -> Decimal | None:
    return None if value is None else plain_decimal(Decimal(value) / 100)


@dataclass(frozen=True)
class _Spec:
    actual_field: str
    unit: Any
    requirement_in_display_unit: Callable[[Any], Decimal | None]
    actual_in_display_unit: Callable[[Any], Decimal | None]


_SPECS = {
    HardIndicator.STAFFING: _Spec("full_time_workers", _("人"), plain_decimal, plain_decimal),
    HardIndicator.WORK_FUNDS: _Spec("work_funds", _("万元"), yuan_to_wan, yuan_to_wan),
    HardIndicator.PARTY_FUND: _Spec("party_fund", _("万元"), yuan_to_wan, yuan_to_wan),
    HardIndicator.SERVICE_AREA: _Spec("service_area", "㎡", _centi_m2, plain_decimal),
}


def results_for(community: Any) -> list[IndicatorResult]:
    """Read one community's with_hard_indicators() annotations into explained results."""
    results = []
    for indicator, spec in _SPECS.items():
        prefix = f"hi_{indicator.value}"
        results.append(
            IndicatorResult(
                indicator=indicator,
                status=Status(getattr(community, prefix)),
                required=spec.requirement_in_display_unit(getattr(community, f"{prefix}_required")),
                minimum=spec.requirement_in_display_unit(getattr(community, f"{prefix}_minimum")),
                actual=spec.actual_in_display_unit(getattr(community, spec.actual_field)),
                unit=str(spec.unit),
            )
        )
    return results
