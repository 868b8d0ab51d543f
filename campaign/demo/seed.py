"""Demo data: Weihai's 325 urban communities with plausible figures (some failing the hard
indicators), the 2020 campaign and one account per role, so every role finds real work.

Figures come from a random generator seeded with each community's code, so they are the same
on every machine. Only missing rows are created: edits survive a restart; --reset regenerates.
"""

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaign.demo.assessments import DEMO_START_DAYS_AGO, ensure_schedule, seed_submissions
from campaign.demo.candidates import seed_candidates
from campaign.demo.scores import seed_scores
from campaign.kernel.models import Profile
from campaign.kernel.roles import Role
from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign
from communities.indicators import (
    AREA_CENTI_M2_PER_HOUSEHOLD,
    HOUSEHOLDS_PER_WORKER,
    MIN_AREA_M2_EXISTING_URBAN,
    MIN_AREA_M2_NEW_URBAN,
    MIN_PARTY_FUND_YUAN,
    MIN_URBAN_WORKERS,
    MIN_WORK_FUNDS_YUAN,
    WORK_FUNDS_YUAN_PER_HOUSEHOLD,
)
from communities.models import Community, District, Street
from standards.models import MemberUnit, Standard

DEMO_PASSWORD = "Weihai@2020"
CAMPAIGN_YEAR = 2020
CAMPAIGN_NAME = "2020年“精致幸福社区”示范创建活动"

# 325 urban communities in 2020 (press conference); the split between districts is illustrative.
COMMUNITIES_PER_DISTRICT = {
    "371002": 100,
    "371003": 50,
    "371082": 60,
    "371083": 30,
    "371071": 35,
    "371072": 30,
    "371073": 10,
    "371090": 10,
}
# A few real community names by street; the rest are generated from common place words.
KNOWN_NAMES = {
    "环翠楼街道": ["东北村社区", "东南村社区", "西北村社区"],
    "鲸园街道": ["古陌社区", "北门外社区", "花园社区"],
    "竹岛街道": ["海源社区", "翠竹社区", "青竹社区", "四方社区"],
}
NAME_STEMS = [
    "海滨",
    "望岛",
    "新威",
    "华夏",
    "光明",
    "和平",
    "幸福",
    "金线顶",
    "杨家滩",
    "塔山",
    "皂埠",
    "城里",
    "统一",
    "文化",
    "新港",
    "海港",
    "海埠",
    "福泰",
    "锦华",
    "城南",
    "城北",
    "东城",
    "西城",
    "北山",
    "南山",
    "凤凰",
    "九龙",
    "松涛",
    "翠园",
    "海悦",
    "高山",
    "刘公",
    "锦湖",
    "滨海",
    "蓝湾",
    "银滩",
    "金海",
    "碧海",
    "海韵",
    "海天",
    "海景",
    "长峰",
    "新世纪",
    "世昌",
    "文昌",
    "文峰",
    "峰山",
    "昆嵛",
    "荣光",
    "盛泉",
    "银河",
    "金岭",
    "府前",
    "胜利",
    "建设",
    "学府",
    "书香",
    "百合",
    "玉兰",
    "海棠",
    "紫薇",
    "丁香",
    "桂花",
    "合欢",
    "芙蓉",
    "松竹",
    "梧桐",
    "朝阳",
    "长安",
    "安泰",
    "康乐",
    "祥和",
    "嘉和",
    "颐和",
    "瑞丰",
    "鑫泰",
    "恒昌",
    "润泽",
    "和谐",
    "丽景",
    "锦绣",
    "枫林",
    "柳岸",
    "海澜",
    "翠湖",
    "青松",
    "龙泉",
    "温泉",
    "泉水",
    "石岭",
    "山海",
    "观海",
    "听涛",
    "春晖",
    "明珠",
    "东园",
    "西园",
    "南园",
    "北园",
    "兴华",
    "振华",
    "新华",
    "育华",
    "惠民",
    "利民",
    "安居",
    "乐居",
    "宜居",
    "福山",
    "福海",
    "福瑞",
    "金鼎",
    "金桥",
    "玉龙",
    "清华",
    "海鸥",
    "海星",
    "贝山",
    "沙滩",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    district_code: str | None = None
    unit_code: str | None = None


DEMO_USERS = [
    DemoUser("huancui.staff", "张敏", Role.DISTRICT_STAFF, district_code="371002"),
    DemoUser("huancui.admin", "李强", Role.DISTRICT_ADMIN, district_code="371002"),
    DemoUser("wendeng.staff", "王芳", Role.DISTRICT_STAFF, district_code="371003"),
    DemoUser("wendeng.admin", "赵磊", Role.DISTRICT_ADMIN, district_code="371003"),
    DemoUser("office", "刘洋", Role.OFFICE_AUDITOR),
    DemoUser("unit.minzheng", "陈静", Role.UNIT_REVIEWER, unit_code="mzj"),
    DemoUser("unit.zuzhi", "杨帆", Role.UNIT_REVIEWER, unit_code="zzb"),
    DemoUser("leader", "孙伟", Role.LEADING_GROUP),
    DemoUser("sysadmin", "周涛", Role.SYSTEM_ADMIN),
]


def plausible_figures(code: str, construction: str) -> dict[str, object]:
    """Register figures around the policy lines: most communities meet them, some fall short."""
    r = random.Random(code)
    households = min(5200, max(600, int(r.gauss(2600, 800))))
    workers = max(MIN_URBAN_WORKERS, math.ceil(households / r.uniform(300, HOUSEHOLDS_PER_WORKER)))
    if r.random() < 0.10:
        workers -= r.choice((1, 2))
    required_funds = max(MIN_WORK_FUNDS_YUAN, WORK_FUNDS_YUAN_PER_HOUSEHOLD * households)
    funding = r.uniform(0.7, 0.98) if r.random() < 0.08 else r.uniform(1.0, 1.4)
    work_funds = int(round(required_funds * funding, -2))
    party_fund = r.choice((MIN_PARTY_FUND_YUAN,) * 7 + (250_000, 300_000, 150_000))
    base = (
        MIN_AREA_M2_NEW_URBAN
        if construction == Community.Construction.NEW
        else MIN_AREA_M2_EXISTING_URBAN
    )
    area = max(base, households * AREA_CENTI_M2_PER_HOUSEHOLD / 100)
    area *= r.uniform(0.7, 0.97) if r.random() < 0.10 else r.uniform(1.0, 1.5)
    figures: dict[str, object] = {
        "households": households,
        "population": round(households * r.uniform(2.3, 2.9)),
        "compounds": max(1, round(households / r.uniform(250, 600))),
        "service_area": Decimal(round(area)),
        "full_time_workers": workers,
        "work_funds": work_funds,
        "party_fund": party_fund,
        "grid_count": max(1, round(households / r.uniform(250, 350))),
        "contact_person": r.choice(SURNAMES) + r.choice(("书记", "主任")),
        "contact_phone": f"0631-5{r.randrange(100000, 999999)}",
    }
    # Real registers have gaps; the hard-indicator page must say so rather than guess.
    for name, chance in (("households", 0.03), ("party_fund", 0.03), ("service_area", 0.02)):
        if r.random() < chance:
            figures[name] = None
    return figures


def _names_for(district: District, streets: list[Street], count: int) -> list[tuple[Street, str]]:
    """Spread ``count`` communities over the streets: every 街道 gets one, the rest go to 街道
    three times as often as to 镇. Names are unique within the district."""
    r = random.Random(district.code)
    subdistricts = [street for street in streets if street.name.endswith("街道")]
    weights = [3 if street in subdistricts else 1 for street in streets]
    order = (subdistricts + r.choices(streets, weights, k=count))[:count]
    stems = list(NAME_STEMS)
    r.shuffle(stems)
    known = {street.pk: list(KNOWN_NAMES.get(street.name, [])) for street in streets}
    used: set[str] = set()
    placed = []
    for street in order:
        name = known[street.pk].pop(0) if known[street.pk] else stems.pop() + "社区"
        while name in used:
            name = stems.pop() + "社区"
        used.add(name)
        placed.append((street, name))
    return placed


@transaction.atomic
def seed_communities(reset: bool = False) -> int:
    existing = set(Community.objects.values_list("code", flat=True))
    created = 0
    for district in District.objects.filter(code__in=COMMUNITIES_PER_DISTRICT):
        streets = list(district.streets.order_by("code"))
        sequence: dict[int, int] = {}
        new = []
        for street, name in _names_for(district, streets, COMMUNITIES_PER_DISTRICT[district.code]):
            sequence[street.pk] = sequence.get(street.pk, 0) + 1
            code = f"{street.code}{sequence[street.pk]:03d}"
            is_new = random.Random(code + "new").random() < 0.15
            construction = Community.Construction.NEW if is_new else Community.Construction.EXISTING
            values = {
                "name": name,
                "district": district,
                "street": street,
                "kind": Community.Kind.URBAN,
                "construction": construction,
                **plausible_figures(code, construction),
            }
            if code not in existing:
                new.append(Community(code=code, **values))
            elif reset:
                Community.objects.filter(code=code).update(**values)
        Community.objects.bulk_create(new)
        created += len(new)
    return created


@transaction.atomic
def seed_users(reset: bool = False) -> list[DemoUser]:
    User = get_user_model()
    districts = {d.code: d for d in District.objects.all()}
    units = {u.code: u for u in MemberUnit.objects.all()}
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username)
        if created or reset:
            user.last_name, user.first_name = demo.full_name[0], demo.full_name[1:]
            user.is_staff = user.is_superuser = demo.role == Role.SYSTEM_ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "role": demo.role,
                "district": districts.get(demo.district_code) if demo.district_code else None,
                "member_unit": units.get(demo.unit_code) if demo.unit_code else None,
            },
        )
    return DEMO_USERS


def seed_campaign() -> Campaign:
    """The 2020 campaign, but running now: its phases are dated around today so every role
    can act. Districts get their quota (one place per ten communities)."""
    campaign = Campaign.objects.filter(year=CAMPAIGN_YEAR).first()
    if campaign is None:
        standard = Standard.objects.get(year=CAMPAIGN_YEAR, version=1)
        start = timezone.localdate() - datetime.timedelta(days=DEMO_START_DAYS_AGO)
        campaign = do_create_campaign(CAMPAIGN_YEAR, CAMPAIGN_NAME, standard.pk, starts_on=start)
    ensure_schedule(campaign)
    seed_submissions(campaign)
    seed_candidates(campaign, DEMO_PASSWORD)
    seed_scores(campaign)
    return campaign
