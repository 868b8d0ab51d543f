"""A campaign's survey settings, created on first use from defaults drawn from the standard."""

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign
from campaign.survey.models import (
    QuestionKind,
    SurveyConfig,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
)
from standards.models import Item


class AwarenessRow(NamedTuple):
    """An awareness question (answered 是/否): the share of 是 against ``target_rate`` scores
    ``points`` of ``item_id``."""

    text: str
    item_id: int
    target_rate: Decimal
    points: Decimal


def default_questions() -> list[str]:
    """One question per area item 6.1 names (队伍、治理、服务、环境、文化), the overall one last.
    Seven, so that with the three awareness questions a resident answers at most ten."""
    return [
        _("您对社区工作人员的服务态度是否满意？"),
        _("您对社区办事效率是否满意？"),
        _("您对社区环境卫生和绿化是否满意？"),
        _("您对社区治安和安全状况是否满意？"),
        _("您对社区组织的文化体育活动是否满意？"),
        _("您对社区关爱老年人、残疾人等困难群体的工作是否满意？"),
        _("总体来说，您对本社区的治理和服务是否满意？"),
    ]


def awareness_item(campaign: Campaign) -> Item | None:
    """The survey item the awareness questions score (6.2 创建知晓与参与): the standard's
    second survey-checked item; the first is the satisfaction item the tiers score."""
    items = Item.objects.filter(
        standard_id=campaign.standard_id, check_method=Item.CheckMethod.SURVEY
    ).order_by("display_order", "code")
    return items[1] if items.count() > 1 else None


def default_awareness(campaign: Campaign) -> list[AwarenessRow]:
    """Item 6.2's 评分细则: 知晓创建活动 80 % → 1.5 points, 知晓创建标准 60 % → 1, 参加活动或
    提出意见 30 % → 1.5; none when the standard has no such item."""
    item = awareness_item(campaign)
    if item is None:
        return []
    return [
        AwarenessRow(
            _("您是否知道本社区正在开展精致幸福社区创建活动？"),
            item.pk,
            Decimal("0.800"),
            Decimal("1.5"),
        ),
        AwarenessRow(
            _("您是否看到过社区公开的创建标准（刊板）？"), item.pk, Decimal("0.600"), Decimal(1)
        ),
        AwarenessRow(
            _("您是否参加过社区创建相关活动或提出过意见建议？"),
            item.pk,
            Decimal("0.300"),
            Decimal("1.5"),
        ),
    ]


def default_options() -> list[tuple[str, bool, bool]]:
    """(label, counts as satisfied, counts as valid): (满意 + 基本满意) / 有效, and 不了解
    counts as neither."""
    return [
        (_("满意"), True, True),
        (_("基本满意"), True, True),
        (_("不满意"), False, True),
        (_("不了解"), False, False),
    ]


# Item 6.1's scoring rule: 85 % earns 8 points, 88/90/92/95 % two more each (16 in all).
DEFAULT_TIERS = [
    (Decimal("0.850"), Decimal(8)),
    (Decimal("0.880"), Decimal(10)),
    (Decimal("0.900"), Decimal(12)),
    (Decimal("0.920"), Decimal(14)),
    (Decimal("0.950"), Decimal(16)),
]


def default_notice(campaign: Campaign) -> str:
    return _(
        "本调查由市城乡社区治理工作领导小组办公室组织，用于“%(campaign)s”评选，"
        "了解您对所在社区治理和服务的评价，约需2分钟。"
        "调查不记名，不收集姓名、电话、住址等个人信息；每个调查码只能使用一次；"
        "结果只以社区整体统计的形式使用。"
    ) % {"campaign": campaign.name}


def write_questionnaire(
    campaign: Campaign,
    questions: list[str],
    overall: int,
    options: Sequence[tuple[str, bool, bool]],
    awareness: Sequence[AwarenessRow] = (),
) -> None:
    """Replace the campaign's questions (``overall`` is the 1-based overall one) and options
    (label, counts as satisfied, counts as valid), numbered in order; the awareness questions
    follow the satisfaction ones."""
    SurveyQuestion.objects.filter(campaign=campaign).delete()
    SurveyOption.objects.filter(campaign=campaign).delete()
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(campaign=campaign, position=n, text=text, is_overall=n == overall)
        for n, text in enumerate(questions, start=1)
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            campaign=campaign,
            position=n,
            text=row.text,
            kind=QuestionKind.AWARENESS,
            item_id=row.item_id,
            target_rate=row.target_rate,
            points=row.points,
        )
        for n, row in enumerate(awareness, start=len(questions) + 1)
    )
    SurveyOption.objects.bulk_create(
        SurveyOption(
            campaign=campaign,
            position=n,
            label=label,
            counts_as_satisfied=satisfied,
            counts_as_valid=valid,
        )
        for n, (label, satisfied, valid) in enumerate(options, start=1)
    )


def write_tiers(campaign: Campaign, tiers: list[tuple[Decimal, Decimal]]) -> None:
    SurveyPointTier.objects.filter(campaign=campaign).delete()
    SurveyPointTier.objects.bulk_create(
        SurveyPointTier(campaign=campaign, min_rate=rate, points=points) for rate, points in tiers
    )


def config_for(campaign: Campaign) -> SurveyConfig:
    """The campaign's survey settings, created with the defaults the first time."""
    existing = SurveyConfig.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        config, created = SurveyConfig.objects.select_for_update().get_or_create(
            campaign=campaign,
            defaults={
                "pass_rate": campaign.standard.satisfaction_pass_rate,
                "notice": default_notice(campaign),
            },
        )
        if created:
            questions = default_questions()
            write_questionnaire(
                campaign,
                questions,
                len(questions),
                default_options(),
                default_awareness(campaign),
            )
            write_tiers(campaign, DEFAULT_TIERS)
    return config
