"""The office's survey work: the campaign's questionnaire and scoring rules, one-time codes,
ruling on flagged questionnaires, and ending a community's survey (its result is frozen)."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, log, move, plain_number
from campaign.pipeline.models import Campaign, Submission
from campaign.pipeline.workflow import Action, ActionRefused
from campaign.survey import codes as survey_codes
from campaign.survey.defaults import AwarenessRow, config_for, write_questionnaire, write_tiers
from campaign.survey.models import (
    MAX_QUESTIONS,
    MIN_SAMPLE_SIZE,
    Quality,
    QuestionKind,
    SurveyCode,
    SurveyConfig,
    SurveyItemPoints,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)
from campaign.survey.statistics import BY_COMMUNITY, Figures, SurveyScheme, figures, scheme_for

MAX_OPTIONS = 5
MAX_CODES_PER_BATCH = 500
MAX_NOTICE = 500
MAX_FINISH_REASON = 500
# The settings' bounds, shared with the page's form so both speak of the same limits; the
# text lengths are the widths of the question and option columns.
MAX_QUESTION_TEXT = 100
MAX_OPTION_LABEL = 20
MAX_SAMPLE_SIZE = 1000
MAX_MIN_DURATION_SECONDS = 600
MIN_CLUSTER_SIZE = 2
MAX_CLUSTER_SIZE = 1000
ONE_DECIMAL = Decimal("0.1")
HALF_POINT = Decimal("0.5")


class OptionRow(NamedTuple):
    """An answer option (the same for every question) and what choosing it counts as."""

    label: str
    counts_as_satisfied: bool
    counts_as_valid: bool


class AwarenessSetting(NamedTuple):
    """An awareness question as the settings page edits it: its text, the share of 是 it
    aims at (in percent) and the points it is worth at that share."""

    text: str
    target_percent: Decimal
    points: Decimal


class TierRow(NamedTuple):
    """A satisfaction rate of at least ``min_percent`` (in percent) earns ``points``."""

    min_percent: Decimal
    points: Decimal


@dataclass(frozen=True)
class SurveySettings:
    """The settings as typed values (the settings page parses them, ``campaign.survey.forms``);
    ``do_save_survey_settings`` checks that they make a survey that can be run and scored."""

    sample_size: int
    pass_percent: Decimal | None  # None: no pass line
    min_duration_seconds: int
    cluster_size: int
    notice: str
    questions: Sequence[str]
    overall: int  # the 1-based number of the overall question in ``questions``
    options: Sequence[OptionRow]
    tiers: Sequence[TierRow]
    # The awareness questions in their saved order (the item each scores is not edited);
    # None keeps them as saved.
    awareness: Sequence[AwarenessSetting] | None = None


def is_percent(number: Decimal) -> bool:
    """0 to 100 with at most one decimal: rates are stored as fractions with three."""
    return number.is_finite() and 0 <= number <= 100 and number == number.quantize(ONE_DECIMAL)


def is_points(number: Decimal) -> bool:
    """0 to 100 in half points, the steps every item of the standard is scored in."""
    return number.is_finite() and 0 <= number <= 100 and not number % HALF_POINT


def _within(number: int, label: str, low: int, high: int) -> int:
    if not low <= number <= high:
        raise ActionRefused(
            _("“%(label)s”应在%(low)d到%(high)d之间。") % {"label": label, "low": low, "high": high}
        )
    return number


def _whole(value: Any, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ActionRefused(_("“%(label)s”应为整数。") % {"label": label}) from None
    return _within(number, label, low, high)


def _fraction(percent: Decimal, label: str) -> Decimal:
    if not is_percent(percent):
        raise ActionRefused(
            _("“%(label)s”应为0到100之间的百分数，最多一位小数。") % {"label": label}
        )
    return percent / 100


def _points(points: Decimal, label: str) -> Decimal:
    if not is_points(points):
        raise ActionRefused(_("“%(label)s”应在0到100之间，以0.5分为单位。") % {"label": label})
    return points


def _require_office(actor: Actor) -> None:
    if not scope_of(actor).can(Capability.AUDIT):
        raise ActionRefused(_("只有领导小组办公室可以办理满意度调查。"))


def _questions(wanted: SurveySettings) -> tuple[list[str], int]:
    texts = [bounded_text(t, MAX_QUESTION_TEXT, _("题目")) for t in wanted.questions]
    if not texts:
        raise ActionRefused(_("请至少填写一道题目。"))
    if not all(texts):
        raise ActionRefused(_("题目不能为空。"))
    if len(texts) > MAX_QUESTIONS:
        raise ActionRefused(_("题目最多%(n)d道，以便居民两分钟内答完。") % {"n": MAX_QUESTIONS})
    overall = _within(wanted.overall, _("总体评价题"), 1, len(texts))
    return texts, overall


def _options(wanted: SurveySettings) -> list[tuple[str, bool, bool]]:
    # An option that counts as satisfied is a valid answer too.
    options: list[tuple[str, bool, bool]] = [
        OptionRow(
            bounded_text(o.label, MAX_OPTION_LABEL, _("选项")),
            o.counts_as_satisfied,
            o.counts_as_valid or o.counts_as_satisfied,
        )
        for o in wanted.options
    ]
    if not all(label for label, _s, _v in options):
        raise ActionRefused(_("选项不能为空。"))
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise ActionRefused(_("答案选项应有2到%(n)d个。") % {"n": MAX_OPTIONS})
    if len({label for label, _s, _v in options}) < len(options):
        raise ActionRefused(_("答案选项不能重名。"))
    if not any(satisfied for _l, satisfied, _v in options):
        raise ActionRefused(_("请至少指定一个计入满意的选项。"))
    if all(satisfied for _l, satisfied, valid in options if valid):
        raise ActionRefused(_("请至少保留一个计入有效但不计入满意的选项（如“不满意”）。"))
    return options


def _tiers(wanted: SurveySettings) -> list[tuple[Decimal, Decimal]]:
    tiers = [
        (_fraction(t.min_percent, _("计分档满意率")), _points(t.points, _("计分档得分")))
        for t in wanted.tiers
    ]
    rates = [rate for rate, _points in tiers]
    if len(set(rates)) < len(rates):
        raise ActionRefused(_("计分档的满意率不能重复。"))
    ordered = sorted(tiers)
    if any(a[1] > b[1] for a, b in itertools.pairwise(ordered)):
        raise ActionRefused(_("满意率越高，得分不能越低，请检查计分档。"))
    return ordered


def _awareness(wanted: SurveySettings, saved: list[SurveyQuestion]) -> list[AwarenessRow]:
    """The awareness questions to keep: as saved, or as edited (text, target, points), each
    still scoring the item it scored. Together they may not be worth more than the item."""
    if wanted.awareness is None:
        return [
            AwarenessRow(q.text, q.item_id, q.target_rate, q.points)
            for q in saved
            if q.item_id is not None and q.target_rate is not None and q.points is not None
        ]
    if len(wanted.awareness) != len(saved):
        raise ActionRefused(_("知晓与参与题已有变化，请刷新页面后重新填写。"))
    rows = []
    for number, (question, edited) in enumerate(zip(saved, wanted.awareness, strict=True), 1):
        label = {"n": number}
        text = bounded_text(edited.text, MAX_QUESTION_TEXT, _("知晓与参与第%(n)d题") % label)
        if not text:
            raise ActionRefused(_("知晓与参与第%(n)d题的题目不能为空。") % label)
        target = _fraction(edited.target_percent, _("知晓与参与第%(n)d题目标比例") % label)
        if not target:
            raise ActionRefused(_("“知晓与参与第%(n)d题目标比例”应大于0。") % label)
        points = _points(edited.points, _("知晓与参与第%(n)d题分值") % label)
        # The database's check keeps an item on every awareness question.
        rows.append(AwarenessRow(text, question.item_id or 0, target, points))
    items = {q.item_id: q.item for q in saved if q.item is not None}
    for item_id, item in items.items():
        total = sum((row.points for row in rows if row.item_id == item_id), Decimal(0))
        if total > item.max_points:
            raise ActionRefused(
                _(
                    "知晓与参与题分值合计%(total)s分，超过%(code)s %(title)s的%(max)s分，"
                    "请调整各题分值。"
                )
                % {
                    "total": plain_number(total),
                    "code": item.code,
                    "title": item.title,
                    "max": plain_number(item.max_points),
                }
            )
    return rows


def _rescore_awareness(saved: list[SurveyQuestion], awareness: list[AwarenessRow]) -> None:
    """Update the awareness questions' targets and points in place: unlike their text, these
    are scoring rules that may change after answers are in."""
    questions = [q for q in saved if q.kind == QuestionKind.AWARENESS]
    for question, row in zip(questions, awareness, strict=True):
        question.target_rate, question.points = row.target_rate, row.points
    SurveyQuestion.objects.bulk_update(questions, ["target_rate", "points"])


def do_save_survey_settings(
    campaign_id: int, wanted: SurveySettings, *, actor: Actor, ip: str | None = None
) -> SurveyConfig:
    """Save the settings. The questionnaire itself (questions, options) is fixed once the
    first questionnaire is in: changing it would change what earlier answers mean."""
    _require_office(actor)
    sample_size = _within(wanted.sample_size, _("每个社区样本量"), MIN_SAMPLE_SIZE, MAX_SAMPLE_SIZE)
    pass_rate = (
        None if wanted.pass_percent is None else _fraction(wanted.pass_percent, _("满意率合格线"))
    )
    min_duration = _within(
        wanted.min_duration_seconds, _("最短答题时长"), 0, MAX_MIN_DURATION_SECONDS
    )
    cluster_size = _within(
        wanted.cluster_size, _("相同答案标记份数"), MIN_CLUSTER_SIZE, MAX_CLUSTER_SIZE
    )
    notice = bounded_text(wanted.notice, MAX_NOTICE, _("调查说明"))
    if not notice:
        raise ActionRefused(_("请填写调查说明，告诉居民调查的目的和隐私保护。"))
    questions, overall = _questions(wanted)
    options = _options(wanted)
    tiers = _tiers(wanted)
    campaign = Campaign.objects.get(pk=campaign_id)
    config_for(campaign)
    with transaction.atomic(durable=True):
        config = SurveyConfig.objects.select_for_update().get(campaign=campaign)
        saved = list(SurveyQuestion.objects.filter(campaign=campaign).select_related("item"))
        awareness = _awareness(wanted, [q for q in saved if q.kind == QuestionKind.AWARENESS])
        if len(questions) + len(awareness) > MAX_QUESTIONS:
            raise ActionRefused(
                _("题目最多%(n)d道（含知晓与参与题%(a)d道），以便居民两分钟内答完。")
                % {"n": MAX_QUESTIONS, "a": len(awareness)}
            )
        asked = [
            (text, n == overall, QuestionKind.SATISFACTION)
            for n, text in enumerate(questions, start=1)
        ] + [(row.text, False, QuestionKind.AWARENESS) for row in awareness]
        saved_options = [
            (o.label, o.counts_as_satisfied, o.counts_as_valid)
            for o in SurveyOption.objects.filter(campaign=campaign)
        ]
        questionnaire_changed = [
            (q.text, q.is_overall, q.kind) for q in saved
        ] != asked or saved_options != options
        if questionnaire_changed:
            if SurveyResponse.objects.filter(submission__campaign=campaign).exists():
                raise ActionRefused(
                    _(
                        "已经收到调查问卷，题目和选项不能再修改；样本量、合格线、计分档和"
                        "知晓与参与题的目标比例、分值仍可调整。"
                    )
                )
            write_questionnaire(campaign, questions, overall, options, awareness)
        else:
            # Only how the awareness questions score may have changed, like the tiers.
            _rescore_awareness(saved, awareness)
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
                "awareness": [
                    [row.text, str(row.target_rate), str(row.points)] for row in awareness
                ],
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


def do_finish_survey(
    submission_id: int,
    reason: str = "",
    confirmed: bool = False,
    score_short_sample: bool = False,
    *,
    actor: Actor,
    ip: str | None = None,
) -> SurveyTally:
    """End the community's survey: its codes stop working, and its result is frozen in the
    tally the ranking reads. Below the sample size it ends only with a written reason and the
    office's confirmation, and earns no points unless the office accepts the sample for
    scoring (``score_short_sample``): 2 of 30 questionnaires is not a 100 % rate."""
    reason = bounded_text(reason, MAX_FINISH_REASON, _("结束说明"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.FINISH_SURVEY, actor)
        scheme = scheme_for(submission.campaign)
        result = figures(
            scheme,
            SurveyResponse.objects.filter(submission=submission),
            BY_COMMUNITY,
            with_counts=False,
        ).get(submission.pk) or Figures(key=submission.pk)
        short = scheme.below_sample(result)
        if short and not reason:
            raise ActionRefused(
                _("有效问卷%(valid)d份，少于规定样本量%(size)d份：结束调查须填写结束说明。")
                % {"valid": result.valid, "size": scheme.config.sample_size}
            )
        if short and not confirmed:
            raise ActionRefused(
                _("有效问卷少于规定样本量，请勾选“确认在样本不足的情况下结束调查”。")
            )
        scored = not short or score_short_sample
        by_code = SurveyResponse.objects.filter(submission=submission, code__isnull=False).count()
        tally, _created = SurveyTally.objects.update_or_create(
            submission=submission,
            defaults={
                "satisfied": result.satisfied,
                "valid": result.valid,
                "discarded": result.discarded,
                "points": scheme.points(result) if scored else Decimal(0),
                "sample_size": scheme.config.sample_size,
                "short_sample": short,
                "short_sample_scored": short and score_short_sample,
                "finish_reason": reason,
                "source": _("问卷系统：扫码%(code)d份，导入%(imported)d份")
                % {"code": by_code, "imported": result.received - by_code},
                "recorded_by": actor,
            },
        )
        item_points = _write_item_points(submission, scheme, result, scored)
        comment = reason
        if short:
            comment = _("有效问卷%(valid)d份，少于规定样本量%(size)d份%(scored)s。%(reason)s") % {
                "valid": result.valid,
                "size": scheme.config.sample_size,
                "scored": _("，办公室认可按实际样本计分")
                if score_short_sample
                else _("，不计满意度得分"),
                "reason": reason,
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
                "sample_size": tally.sample_size,
                "short_sample": short,
                "short_sample_scored": tally.short_sample_scored,
                "reason": reason,
                "item_points": item_points,
            },
        )
    return tally


def _write_item_points(
    submission: Submission, scheme: SurveyScheme, result: Figures, scored: bool
) -> dict[str, str]:
    """Freeze the points of the items the awareness questions score (6.2). A short sample the
    office did not accept earns no points here either."""
    SurveyItemPoints.objects.filter(submission=submission).delete()
    rows = []
    for earned in scheme.item_points(result):
        points, basis = earned.points, earned.basis
        if not scored:
            points = Decimal(0)
            basis = _("样本不足且办公室未认可按实际样本计分，本项不得分。（%(basis)s）") % {
                "basis": basis
            }
        rows.append(
            SurveyItemPoints(submission=submission, item=earned.item, points=points, basis=basis)
        )
    SurveyItemPoints.objects.bulk_create(rows)
    return {row.item.code: str(row.points) for row in rows}
