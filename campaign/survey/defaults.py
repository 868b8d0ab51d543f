"""A campaign's survey settings, created on first use from defaults drawn from the standard."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign
from campaign.survey.models import SurveyConfig, SurveyOption, SurveyPointTier, SurveyQuestion


def default_questions() -> list[str]:
    """One question per area the standard's categories cover, the overall one last."""
    return [
        _("您对社区工作人员的服务态度是否满意？"),
        _("您对社区办事效率是否满意？"),
        _("您对社区环境卫生和绿化是否满意？"),
        _("您对社区治安和安全状况是否满意？"),
        _("您对社区组织的文化体育活动是否满意？"),
        _("您对小区物业管理服务是否满意？"),
        _("您对社区关爱老年人、残疾人等困难群体的工作是否满意？"),
        _("总体来说，您对本社区的治理和服务是否满意？"),
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
    options: list[tuple[str, bool, bool]],
) -> None:
    """Replace the campaign's questions (``overall`` is the 1-based overall one) and options
    (label, counts as satisfied, counts as valid), numbered in order."""
    SurveyQuestion.objects.filter(campaign=campaign).delete()
    SurveyOption.objects.filter(campaign=campaign).delete()
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(campaign=campaign, position=n, text=text, is_overall=n == overall)
        for n, text in enumerate(questions, start=1)
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
            write_questionnaire(campaign, questions, len(questions), default_options())
            write_tiers(campaign, DEFAULT_TIERS)
    return config
