"""A community's self-assessment: item by item in the browser, or a whole offline sheet, and
its submission."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.assessment.sheet_import import SheetRejected, compare, fingerprint, read_sheet
from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, lock_or_start, locked, move, plain_number
from campaign.pipeline.figures import freeze_figures, write_auto_audits, write_auto_self_scores
from campaign.pipeline.items import MAX_EXPLANATION, ScoreError, missing_items, parse_score
from campaign.pipeline.models import ItemAssessment, Status, Submission
from campaign.pipeline.signals import scores_changed
from campaign.pipeline.workflow import Action, ActionRefused
from standards.models import Item


class StaleItem(ActionRefused):
    """The item was saved elsewhere after this form was opened."""

    def __init__(self, current: ItemAssessment) -> None:
        who = current.updated_by.get_username() if current.updated_by else ""
        when = timezone.localtime(current.updated_at)
        super().__init__(
            _(
                "本项已于%(time)s被%(who)s在其他窗口修改，您这次的输入没有保存，"
                "以免覆盖较新的内容。请复制您的输入，刷新页面后再修改。"
            )
            % {"time": f"{when:%H:%M:%S}", "who": who}
        )
        self.current = current


@dataclass(frozen=True)
class SaveOutcome:
    assessment: ItemAssessment
    changed: bool
    score_error: str = ""


def do_save_item(
    campaign_id: int,
    community_id: int,
    item_id: int,
    *,
    score: Any,
    explanation: str,
    expected_version: int | None,
    actor: Actor,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one item of a self-assessment. An invalid score is refused but the explanation is
    still saved, so no typed word is lost; a form older than the saved item is refused whole."""
    explanation = bounded_text(explanation, MAX_EXPLANATION, _("自评说明"))
    with transaction.atomic(durable=True):
        submission = lock_or_start(campaign_id, community_id)
        check(submission, Action.SAVE, actor)
        item = Item.objects.get(pk=item_id, standard_id=submission.campaign.standard_id)
        refuse_system_scored(item)
        assessment, _created = ItemAssessment.objects.select_for_update().get_or_create(
            submission=submission, item=item
        )
        if expected_version is not None and assessment.version != expected_version:
            raise StaleItem(assessment)
        score_error = ""
        new_score = assessment.self_score
        try:
            new_score = parse_score(score, item.max_points)
        except ScoreError as exc:
            score_error = str(exc)
        changes = _item_changes(assessment, new_score, explanation)
        if not changes:
            return SaveOutcome(assessment, changed=False, score_error=score_error)
        assessment.self_score = new_score
        assessment.explanation = explanation
        assessment.version += 1
        assessment.updated_by = actor
        assessment.save()
        submission.save(update_fields=["updated_at"])
        scores_changed(submission.pk)
        audit_log.record(
            "assessment.save",
            actor=actor,
            target=submission,
            district_id=submission.district_id,
            from_state=submission.status,
            to_state=submission.status,
            details={"item": item.code, **changes},
            ip=ip,
        )
    return SaveOutcome(assessment, changed=True, score_error=score_error)


def system_scored_problem(item: Item) -> str:
    """Why nobody self-scores this item, or "" when the community does."""
    if item.is_survey_scored:
        return _("%(code)s %(title)s由满意度调查计分，社区不自评。") % {
            "code": item.code,
            "title": item.title,
        }
    if item.is_auto_scored:
        return _(
            "%(code)s %(title)s由系统根据社区基础数据自动核验计分，不能填写得分；"
            "数据有误的，请在社区名录中更正。"
        ) % {"code": item.code, "title": item.title}
    return ""


def refuse_system_scored(item: Item) -> None:
    problem = system_scored_problem(item)
    if problem:
        raise ActionRefused(problem)


def _item_changes(
    assessment: ItemAssessment, score: Decimal | None, explanation: str
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if assessment.self_score != score:
        changes["score"] = [plain_number(assessment.self_score), plain_number(score)]
    if assessment.explanation != explanation:
        changes["explanation"] = [assessment.explanation[:200], explanation[:200]]
    return changes


@dataclass(frozen=True)
class SheetImportOutcome:
    """What an imported self-assessment sheet changed: item codes in the standard's order."""

    changed: list[str]
    unchanged: int


def do_apply_assessment_sheet(
    campaign_id: int,
    community_id: int,
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    ip: str | None = None,
    expected_basis: str | None = None,
) -> SheetImportOutcome:
    """Apply an uploaded self-assessment sheet: every row or nothing. The file is checked again
    here, since the preview may be stale; given the preview's ``expected_basis``, an item saved
    elsewhere since the preview refuses the import rather than overwrite that save unseen.
    Raises ``SheetRejected`` (with the issues) or ``ActionRefused``; then nothing is saved."""
    with transaction.atomic(durable=True):
        submission = lock_or_start(campaign_id, community_id)
        check(submission, Action.SAVE, actor)
        parsed = read_sheet(data, submission.campaign, submission.community)
        if parsed.issues:
            raise SheetRejected(parsed.issues)
        saved = {
            a.item_id: a
            for a in ItemAssessment.objects.select_for_update().filter(submission=submission)
        }
        if expected_basis is not None and fingerprint(saved.values()) != expected_basis:
            raise ActionRefused(
                _(
                    "预览之后，本社区的自评已在系统中被修改。为免覆盖较新的内容，本次没有导入，"
                    "请重新上传自评表查看预览。"
                )
            )
        changes, unchanged = compare(parsed, saved)
        for change in changes:
            assessment = saved.get(change.item.pk) or ItemAssessment(
                submission=submission, item=change.item
            )
            assessment.self_score = change.new_score
            assessment.explanation = change.new_explanation
            assessment.version += 1
            assessment.updated_by = actor
            assessment.save()
        codes = [change.item.code for change in changes]
        if codes:
            submission.save(update_fields=["updated_at"])
            scores_changed(submission.pk)
            audit_log.record(
                "assessment.import",
                actor=actor,
                target=submission,
                district_id=submission.district_id,
                from_state=submission.status,
                to_state=submission.status,
                comment=_("%(n)d个小项有变化，%(same)d个小项无变化。")
                % {"n": len(codes), "same": unchanged},
                details={
                    "filename": filename,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "changed": codes,
                    "scores": {
                        c.item.code: [plain_number(c.old_score), plain_number(c.new_score)]
                        for c in changes
                        if c.score_changed
                    },
                },
                ip=ip,
            )
    return SheetImportOutcome(codes, unchanged)


def do_submit(submission_id: int, *, actor: Actor, ip: str | None = None) -> Submission:
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.SUBMIT, actor)
        problems = missing_items(submission)
        if problems:
            raise ActionRefused(
                _("还有%(n)d个小项未完成，不能提交：") % {"n": len(problems)}, problems
            )
        submission.submitted_at = timezone.now()
        back_to_the_office = submission.status == Status.REVISING
        if back_to_the_office:
            # Resubmitted to the office after its return: a fresh audit round, the earlier one
            # stays as it was.
            submission.audit_round += 1
        # Judged from now on by the register figures as they are now, and the items they score.
        figures = freeze_figures(submission, actor)
        write_auto_self_scores(submission, figures, actor)
        if back_to_the_office:
            write_auto_audits(submission, figures, actor)
        move(submission, Action.SUBMIT, actor=actor, ip=ip)
    return submission
