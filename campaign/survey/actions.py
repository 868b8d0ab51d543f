"""The office's survey work: the campaign's questionnaire and scoring rules, one-time codes,
ruling on flagged questionnaires, and ending a community's survey (its result is frozen)."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, log, move
from campaign.pipeline.models import Campaign
from campaign.pipeline.workflow import Action, ActionRefused
from campaign.survey import codes as survey_codes
from campaign.survey.defaults import config_for, write_questionnaire, write_tiers
from campaign.survey.models import (
    MAX_QUESTIONS,
    MIN_SAMPLE_SIZE,
    Quality,
    SurveyCode,
    SurveyConfig,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)
from campaign.survey.statistics import BY_COMMUNITY, figures, scheme_for

MAX_OPTIONS = 5
MAX_CODES_PER_BATCH = 500
MAX_NOTICE = 500


@dataclass(frozen=True)
class SurveySettings:
    """The settings form as typed (strings), validated by ``do_save_survey_settings``."""

    sample_size: str
    pass_percent: str
    min_duration_seconds: str
    cluster_size: str
    notice: str
    questions: Sequence[str]
    overall: str  # the 1-based number of the overall question among the non-blank ones
    options: Sequence[tuple[str, bool, bool]]  # label, counts as satisfied, counts as valid
    tiers: Sequence[tuple[str, str]]  # rate in percent, points


def _whole(value: str, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ActionRefused(_("“%(label)s”应为整数。") % {"label": label}) from None
    if not low <= number <= high:
        raise ActionRefused(
            _("“%(label)s”应在%(low)d到%(high)d之间。") % {"label": label, "low": low, "high": high}
        )
    return number


def _percent(value: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise ActionRefused(_("“%(label)s”应为0到100之间的百分数。") % {"label": label}) from None
    if not Decimal(0) <= number <= Decimal(100) or number != number.quantize(Decimal("0.1")):
        raise ActionRefused(
            _("“%(label)s”应为0到100之间的百分数，最多一位小数。") % {"label": label}
        )
    return number / 100


def _points(value: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ActionRefused(_("“%(label)s”应为分数，如 8 或 8.5。") % {"label": label}) from None
    if not Decimal(0) <= number <= Decimal(100) or number % Decimal("0.5"):
        raise ActionRefused(_("“%(label)s”应在0到100之间，以0.5分为单位。") % {"label": label})
    return number


def _require_office(actor: Actor) -> None:
    if not scope_of(actor).can(Capability.AUDIT):
        raise ActionRefused(_("只有领导小组办公室可以办理满意度调查。"))


def _questions(entered: SurveySettings) -> tuple[list[str], int]:
    texts = [bounded_text(t, 100, _("题目")) for t in entered.questions]
    texts = [t for t in texts if t]
    if not texts:
        raise ActionRefused(_("请至少填写一道题目。"))
    if len(texts) > MAX_QUESTIONS:
        raise ActionRefused(_("题目最多%(n)d道，以便居民两分钟内答完。") % {"n": MAX_QUESTIONS})
    overall = _whole(entered.overall, _("总体评价题"), 1, len(texts))
    return texts, overall


def _options(entered: SurveySettings) -> list[tuple[str, bool, bool]]:
    options = [
        (bounded_text(label, 20, _("选项")), satisfied, valid or satisfied)
        for label, satisfied, valid in entered.options
    ]
    options = [o for o in options if o[0]]
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise ActionRefused(_("答案选项应有2到%(n)d个。") % {"n": MAX_OPTIONS})
    if len({label for label, _s, _v in options}) < len(options):
        raise ActionRefused(_("答案选项不能重名。"))
    if not any(satisfied for _l, satisfied, _v in options):
        raise ActionRefused(_("请至少指定一个计入满意的选项。"))
    if all(satisfied for _l, satisfied, valid in options if valid):
        raise ActionRefused(_("请至少保留一个计入有效但不计入满意的选项（如“不满意”）。"))
    return options


def _tiers(entered: SurveySettings) -> list[tuple[Decimal, Decimal]]:
    tiers = [
        (_percent(rate, _("计分档满意率")), _points(points, _("计分档得分")))
        for rate, points in entered.tiers
        if str(rate).strip() or str(points).strip()
    ]
    rates = [rate for rate, _points in tiers]
    if len(set(rates)) < len(rates):
        raise ActionRefused(_("计分档的满意率不能重复。"))
    ordered = sorted(tiers)
    if any(a[1] > b[1] for a, b in itertools.pairwise(ordered)):
        raise ActionRefused(_("满意率越高，得分不能越低，请检查计分档。"))
    return ordered


def do_save_survey_settings(
    campaign_id: int, entered: SurveySettings, *, actor: Actor, ip: str | None = None
) -> SurveyConfig:
    """Save the settings. The questionnaire itself (questions, options) is fixed once the
    first questionnaire is in: changing it would change what earlier answers mean."""
    _require_office(actor)
    sample_size = _whole(entered.sample_size, _("每个社区样本量"), MIN_SAMPLE_SIZE, 1000)
    pass_rate = (
        _percent(entered.pass_percent, _("满意率合格线")) if entered.pass_percent.strip() else None
    )
    min_duration = _whole(entered.min_duration_seconds, _("最短答题时长"), 0, 600)
    cluster_size = _whole(entered.cluster_size, _("相同答案标记份数"), 2, 1000)
    notice = bounded_text(entered.notice, MAX_NOTICE, _("调查说明"))
    if not notice:
        raise ActionRefused(_("请填写调查说明，告诉居民调查的目的和隐私保护。"))
    questions, overall = _questions(entered)
    options = _options(entered)
    tiers = _tiers(entered)
    campaign = Campaign.objects.get(pk=campaign_id)
    config_for(campaign)
    with transaction.atomic(durable=True):
        config = SurveyConfig.objects.select_for_update().get(campaign=campaign)
        questionnaire_changed = [
            (q.text, q.is_overall) for q in SurveyQuestion.objects.filter(campaign=campaign)
        ] != [(text, n == overall) for n, text in enumerate(questions, start=1)] or [
            (o.label, o.counts_as_satisfied, o.counts_as_valid)
            for o in SurveyOption.objects.filter(campaign=campaign)
        ] != options
        if questionnaire_changed:
            if SurveyResponse.objects.filter(submission__campaign=campaign).exists():
                raise ActionRefused(
                    _("已经收到调查问卷，题目和选项不能再修改；样本量、合格线和计分档仍可调整。")
                )
            write_questionnaire(campaign, questions, overall, options)
        write_tiers(campaign, tiers)
        config.sample_size = sample_size
        config.pass_rate = pass_rate
        config.min_duration_seconds = min_duration
        config.cluster_size = cluster_size
        config.notice = notice
        config.save()
        audit_log.record(
            "survey.configure",
            actor=actor,
            target=campaign,
            details={
                "sample_size": sample_size,
                "pass_rate": None if pass_rate is None else str(pass_rate),
                "min_duration_seconds": min_duration,
                "cluster_size": cluster_size,
                "questionnaire_changed": questionnaire_changed,
                "tiers": [[str(rate), str(points)] for rate, points in tiers],
            },
            ip=ip,
        )
    return config


def do_generate_codes(
    submission_id: int, count: Any, *, actor: Actor, ip: str | None = None
) -> list[SurveyCode]:
    number = _whole(count, _("生成数量"), 1, MAX_CODES_PER_BATCH)
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.ISSUE_CODES, actor)
        created = survey_codes.create_codes(submission, number, actor)
        log(
            submission,
            Action.ISSUE_CODES,
            submission.status,
            actor=actor,
            ip=ip,
            comment=_("生成调查码%(n)d个") % {"n": number},
            details={"generated": number},
        )
    return created


def do_void_codes(
    submission_id: int,
    tokens: Sequence[str] | None,
    reason: str,
    *,
    actor: Actor,
    ip: str | None = None,
) -> int:
    """Void the given unused codes (None: every unused code of the community). Used codes
    keep their questionnaire; voiding only stops further use."""
    reason = bounded_text(reason, 200, _("作废原因"))
    if not reason:
        raise ActionRefused(_("请填写作废原因，如调查卡遗失。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.ISSUE_CODES, actor)
        unused = SurveyCode.objects.filter(
            submission=submission, voided_at__isnull=True, response__isnull=True
        )
        if tokens is not None:
            wanted = {survey_codes.normalize(t) for t in tokens} - {""}
            if not wanted:
                raise ActionRefused(_("请填写要作废的调查码。"))
            found = set(unused.filter(token__in=wanted).values_list("token", flat=True))
            missing = wanted - found
            if missing:
                raise ActionRefused(
                    _("以下调查码不属于该社区、已使用或已作废：%(codes)s")
                    % {"codes": "、".join(survey_codes.display(t) for t in sorted(missing))}
                )
            unused = unused.filter(token__in=found)
        voided = unused.update(voided_at=timezone.now(), voided_by=actor, void_reason=reason)
        if not voided:
            raise ActionRefused(_("该社区没有可作废的调查码。"))
        log(
            submission,
            Action.ISSUE_CODES,
            submission.status,
            actor=actor,
            ip=ip,
            comment=reason,
            details={"voided": voided},
        )
    return voided


def do_review_questionnaires(
    submission_id: int, exclude: dict[int, bool], *, actor: Actor, ip: str | None = None
) -> tuple[int, int]:
    """Rule on flagged questionnaires: ``exclude[pk]`` True discards it, False keeps it.
    Returns (excluded, kept)."""
    if not exclude:
        raise ActionRefused(_("请逐份选择剔除或保留。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.REVIEW_SURVEY, actor)
        flagged = SurveyResponse.objects.filter(
            submission=submission, pk__in=list(exclude)
        ).exclude(quality=Quality.CLEAN)
        found = set(flagged.values_list("pk", flat=True))
        if found != set(exclude):
            raise ActionRefused(_("只能核定本社区被标记的问卷，请刷新页面后重试。"))
        now = timezone.now()
        to_exclude = [pk for pk, discard in exclude.items() if discard]
        to_keep = [pk for pk, discard in exclude.items() if not discard]
        SurveyResponse.objects.filter(pk__in=to_exclude).update(
            quality=Quality.EXCLUDED, reviewed_at=now, reviewed_by=actor
        )
        SurveyResponse.objects.filter(pk__in=to_keep).update(
            quality=Quality.KEPT, reviewed_at=now, reviewed_by=actor
        )
        log(
            submission,
            Action.REVIEW_SURVEY,
            submission.status,
            actor=actor,
            ip=ip,
            comment=_("剔除%(x)d份，保留%(k)d份") % {"x": len(to_exclude), "k": len(to_keep)},
            details={"excluded": sorted(to_exclude), "kept": sorted(to_keep)},
        )
    return len(to_exclude), len(to_keep)


def do_finish_survey(submission_id: int, *, actor: Actor, ip: str | None = None) -> SurveyTally:
    """End the community's survey: its codes stop working, and its result is frozen in the
    tally the ranking reads."""
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.FINISH_SURVEY, actor)
        scheme = scheme_for(submission.campaign)
        result = figures(
            scheme,
            SurveyResponse.objects.filter(submission=submission),
            BY_COMMUNITY,
            with_counts=False,
        )[submission.pk]
        by_code = SurveyResponse.objects.filter(submission=submission, code__isnull=False).count()
        tally, _created = SurveyTally.objects.update_or_create(
            submission=submission,
            defaults={
                "satisfied": result.satisfied,
                "valid": result.valid,
                "discarded": result.discarded,
                "points": scheme.points(result),
                "source": _("问卷系统：扫码%(code)d份，导入%(imported)d份")
                % {"code": by_code, "imported": result.received - by_code},
                "recorded_by": actor,
            },
        )
        comment = ""
        if scheme.below_sample(result):
            comment = _("有效问卷%(valid)d份，少于规定样本量%(size)d份。") % {
                "valid": result.valid,
                "size": scheme.config.sample_size,
            }
        move(
            submission,
            Action.FINISH_SURVEY,
            actor=actor,
            ip=ip,
            comment=comment,
            details={
                "satisfied": tally.satisfied,
                "valid": tally.valid,
                "discarded": tally.discarded,
                "points": str(tally.points),
            },
        )
    return tally
