"""Named personas and a small register, shared by the whole suite (healthchecks style).

Two districts matter: 环翠区 (the personas' own) and 文登区 (the "other district").
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from campaign.kernel.auth import clear_failures
from campaign.kernel.models import Profile
from campaign.kernel.roles import Role
from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign
from communities.models import Community, District, Street
from communities.reference import load_districts
from standards.models import MemberUnit, Standard
from standards.reference import load_default_standard, load_member_units

PASSWORD = "Test@Password1"
HUANCUI, WENDENG = "371002", "371003"


@contextmanager
def undone() -> Iterator[None]:
    """A savepoint rolled back at the end, for a test that tries many moves on one fixture.

    Actions open durable transactions, which Django allows only as the outermost block or
    directly inside a test case's own transaction; like TestCase's per-test block, this one is
    marked as the test's (Django's ``Atomic._from_testcase``), so actions behave inside it as
    they do inside the test itself."""
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]
    with block:
        yield
        transaction.set_rollback(True)


def make_user(
    username: str,
    role: Role | None,
    district: District | None = None,
    unit: MemberUnit | None = None,
) -> Any:
    is_admin = role == Role.SYSTEM_ADMIN
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=is_admin, is_superuser=is_admin
    )
    if role is not None:
        Profile.objects.create(user=user, role=role, district=district, member_unit=unit)
    return user


def make_community(code: str, name: str, **figures: Any) -> Community:
    street = Street.objects.get(code=code[:9])
    defaults: dict[str, Any] = {
        "kind": Community.Kind.URBAN,
        "construction": Community.Construction.EXISTING,
        "households": 2000,
        "population": 5000,
        "compounds": 4,
        "service_area": Decimal(650),
        "full_time_workers": 6,
        "work_funds": 80_000,
        "party_fund": 200_000,
        "grid_count": 7,
    }
    defaults.update(figures)
    return Community.objects.create(
        code=code, name=name, district=street.district, street=street, **defaults
    )


class ReferenceDataMixin:
    """Districts, streets, member units and the shipped 2020 standard."""

    huancui: District
    wendeng: District
    standard: Standard
    staff: Any
    district_admin: Any
    other_staff: Any
    other_admin: Any
    office: Any
    reviewer: Any
    leader: Any
    sysadmin: Any
    nobody: Any
    dongbei: Community
    gumo: Community
    longshan: Community

    @classmethod
    def load_reference_data(cls) -> None:
        load_districts()
        load_member_units()
        load_default_standard()
        cls.huancui = District.objects.get(code=HUANCUI)
        cls.wendeng = District.objects.get(code=WENDENG)
        cls.standard = Standard.objects.get(year=2020, version=1)

    @classmethod
    def create_personas(cls) -> None:
        unit = MemberUnit.objects.get(code="mzj")
        cls.staff = make_user("hc_staff", Role.DISTRICT_STAFF, district=cls.huancui)
        cls.district_admin = make_user("hc_admin", Role.DISTRICT_ADMIN, district=cls.huancui)
        cls.other_staff = make_user("wd_staff", Role.DISTRICT_STAFF, district=cls.wendeng)
        cls.other_admin = make_user("wd_admin", Role.DISTRICT_ADMIN, district=cls.wendeng)
        cls.office = make_user("office", Role.OFFICE_AUDITOR)
        cls.reviewer = make_user("unit_mzj", Role.UNIT_REVIEWER, unit=unit)
        cls.leader = make_user("leader", Role.LEADING_GROUP)
        cls.sysadmin = make_user("sysadmin", Role.SYSTEM_ADMIN)
        cls.nobody = make_user("no_role", None)

    @classmethod
    def create_register(cls) -> None:
        # 环翠楼街道 and 鲸园街道 in 环翠区, 龙山街道 in 文登区.
        cls.dongbei = make_community("371002001001", "东北村社区")
        cls.gumo = make_community("371002002001", "古陌社区", full_time_workers=4)
        cls.longshan = make_community("371003001001", "龙山社区")


class CampaignTestCase(ReferenceDataMixin, TestCase):
    campaign: Campaign

    @classmethod
    def setUpTestData(cls) -> None:
        cls.load_reference_data()
        cls.create_personas()
        cls.create_register()
        # Dates around today, so every phase a test needs is open unless the test moves it.
        cls.campaign = do_create_campaign(
            2020,
            "2020年创建活动",
            cls.standard.pk,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        cls.standard.refresh_from_db()

    def setUp(self) -> None:
        for username in ("hc_staff", "hc_admin", "wd_staff", "office", "sysadmin"):
            clear_failures(username)

    def login(self, user: Any) -> None:
        self.client.force_login(user)
