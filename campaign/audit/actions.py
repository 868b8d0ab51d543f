"""The office's audit of forwarded communities."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, log, move, plain_number
from campaign.pipeline.figures import (
    auto_items,
    figure_changes,
    frozen_figures,
    recheck_figures,
    write_auto_audits,
)
from campaign.pipeline.items import MAX_COMMENT, ScoreError, parse_score
from campaign.pipeline.models import ItemAssessment, ItemAudit, RegisterFigures, Submission
from campaign.pipeline.workflow import Action, ActionRefused
from standards.models import Item


@dataclass(frozen=True)
class AuditRow:
    """What the office decided for one item, parsed: blank score is "not yet audited"."""

    score: Decimal | None = None
    reason: str = ""
    comment: str = ""
    revision_request: str = ""
    # The row's version when the page was opened (None: not known, e.g. a script); a save on
    # an older version is refused rather than overwriting someone else's.
    version: int | None = None


class RowRefused(ActionRefused):
    """One row's problem, naming the row's field it belongs to so the page can show it there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class StaleRow(RowRefused):
    """A row saved on a page opened before someone else's save of it."""


def rows_not_saved(count: int) -> str:
    """What the page says when some rows are wrong: the same whoever found the problem."""
    return _("有%(n)d个小项填写有误，本次审核打分均未保存，请修改后重新保存。") % {"n": count}


class AuditRowsRefused(ActionRefused):
    """Some rows of an audit save are wrong; nothing was saved. ``by_item`` holds each bad
    item's problem and ``fields`` the field it concerns, so the page can show it beside the
    field with the input kept."""

    def __init__(
        self,
        by_item: dict[int, str],
        fields: dict[int, str],
        problems: list[str],
        stale: set[int] | None = None,
    ) -> None:
        super().__init__(rows_not_saved(len(by_item)), problems)
        self.by_item = by_item
        self.fields = fields
        self.stale = stale or set()


def do_audit_items(
    submission_id: int, rows: dict[int, AuditRow], *, actor: Actor, ip: str | None = None
) -> int:
    """Save the office's scores for the current audit round, all rows or none. Returns how
    many items changed."""
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.AUDIT_ITEM, actor)
        # The versions the page can have seen: rows the system writes just below are new to it.
        seen = dict(
            ItemAudit.objects.filter(
                submission=submission, round=submission.audit_round
            ).values_list("item_id", "version")
        )
        figures, written = ensure_auto_audits(submission, actor)
        items = {
            item.pk: item
            for item in Item.objects.filter(
                standard_id=submission.campaign.standard_id, pk__in=list(rows)
            )
        }
        self_scores = dict(
            ItemAssessment.objects.filter(submission=submission).values_list(
                "item_id", "self_score"
            )
        )
        saved = {
            a.item_id: a
            for a in ItemAudit.objects.select_for_update().filter(
                submission=submission, round=submission.audit_round
            )
        }
        by_item: dict[int, str] = {}
        fields: dict[int, str] = {}
        stale: set[int] = set()
        cleaned: dict[int, tuple[Decimal | None, str, str, str]] = {}
        for item_id, row in rows.items():
            item = items.get(item_id)
            if item is None:
                raise ActionRefused(_("审核的小项不属于本次创建标准。"))
            try:
                if item.is_survey_scored:
                    _refuse_stale(row, saved.get(item_id), seen.get(item_id, 0))
                    _refuse_survey_row(row)
                    continue
                try:
                    if item.is_auto_scored and figures is not None:
                        values = _system_row(row, saved[item_id])
                    else:
                        values = _clean_row(row, item, self_scores.get(item_id))
                except RowRefused:
                    # Typed on an older page: that is the news, not the typing.
                    _refuse_stale(row, saved.get(item_id), seen.get(item_id, 0))
                    raise
                # A row sent as it is saved overwrites nothing, however old its page: only a
                # change is held to the version (the whole form sends every row, and the
                # system may have written a row since the page was opened).
                if values != _saved_values(saved.get(item_id)):
                    _refuse_stale(row, saved.get(item_id), seen.get(item_id, 0))
                cleaned[item_id] = values
            except RowRefused as exc:
                by_item[item_id], fields[item_id] = exc.message, exc.field
                if isinstance(exc, StaleRow):
                    stale.add(item_id)
        if by_item:
            ordered = sorted(by_item, key=lambda pk: items[pk].display_order)
            raise AuditRowsRefused(
                by_item,
                fields,
                [
                    _("%(code)s %(title)s：%(problem)s")
                    % {"code": items[pk].code, "title": items[pk].title, "problem": by_item[pk]}
                    for pk in ordered
                ],
                stale,
            )
        changes: dict[str, dict[str, Any]] = {}
        for item_id, (score, reason, comment, request) in cleaned.items():
            audit = saved.get(item_id)
            before = (
                (audit.audited_score, audit.reason, audit.comment, audit.revision_request)
                if audit
                else (None, "", "", "")
            )
            if before == (score, reason, comment, request):
                continue
            if audit is None:
                audit = ItemAudit(
                    submission=submission, item_id=item_id, round=submission.audit_round
                )
            audit.audited_score, audit.reason = score, reason
            audit.comment, audit.revision_request = comment, request
            audit.version += 1
            audit.updated_by = actor
            audit.save()
            changes[items[item_id].code] = {
                "audited_score": [plain_number(before[0]), plain_number(score)],
                **({"reason": reason} if reason != before[1] else {}),
                **({"comment": comment} if comment != before[2] else {}),
                **({"revision_request": request} if request != before[3] else {}),
            }
        if changes or written:
            # The log also asks for the scores to be recomputed once this commits.
            log(
                submission,
                Action.AUDIT_ITEM,
                submission.status,
                actor=actor,
                ip=ip,
                details={
                    "round": submission.audit_round,
                    "items": changes,
                    **({"system_scored": written} if written else {}),
                },
            )
    return len(changes)


def ensure_auto_audits(
    submission: Submission, actor: Actor
) -> tuple[RegisterFigures | None, dict[str, str | None]]:
    """The frozen figures, and the auto-verified items' audit rows of the current round
    written from them if the round lacks any (a submission forwarded before the system scored
    them): by item code, the points written ({} when nothing was). No figures (None) for a
    submission that froze none (before this was built): its auto items are audited by hand."""
    figures = frozen_figures(submission)
    if figures is None:
        return None, {}
    auto = [item.pk for item in auto_items(submission)]
    have = ItemAudit.objects.filter(
        submission=submission, round=submission.audit_round, item_id__in=auto
    ).exclude(audited_score=None)
    if have.count() == len(auto):
        return figures, {}
    write_auto_audits(submission, figures, actor)
    written = ItemAudit.objects.filter(
        submission=submission, round=submission.audit_round, item_id__in=auto
    ).values_list("item__code", "audited_score")
    return figures, {code: plain_number(points) for code, points in written}


def _saved_values(audit: ItemAudit | None) -> tuple[Decimal | None, str, str, str]:
    if audit is None:
        return (None, "", "", "")
    return (audit.audited_score, audit.reason, audit.comment, audit.revision_request)


def _refuse_stale(row: AuditRow, audit: ItemAudit | None, current: int) -> None:
    """Refuse a row saved on a page opened before someone else's save of it (``current``:
    the row's version before this action wrote anything)."""
    if row.version is None or row.version == current:
        return
    if audit is None:
        raise StaleRow("score", _("本项审核已被他人撤销，请刷新页面后重新填写。"))
    who = audit.updated_by.get_full_name() or audit.updated_by.get_username()
    raise StaleRow(
        "score",
        _(
            "%(who)s已于%(when)s将本项审核得分改为%(score)s，您的修改未保存。"
            "请核对后重新填写（您填写的内容仍在下方）。"
        )
        % {
            "who": who,
            "when": timezone.localtime(audit.updated_at).strftime("%m-%d %H:%M"),
            "score": plain_number(audit.audited_score) or "—",
        },
    )


def _refuse_survey_row(row: AuditRow) -> None:
    """The survey scores these items after the audit: nothing of them is the office's."""
    if row.score is not None:
        raise RowRefused("score", _("本项由满意度调查计分（调查结束后计分），不能审核打分。"))
    for field, text in (
        ("reason", row.reason),
        ("comment", row.comment),
        ("request", row.revision_request),
    ):
        if text.strip():
            raise RowRefused(field, _("本项由满意度调查计分（调查结束后计分），市办不审核。"))


def _system_row(row: AuditRow, audit: ItemAudit) -> tuple[Decimal | None, str, str, str]:
    """An auto-verified item's row: the system's score and basis kept, only the revision
    request is the office's (e.g. to have the district correct the register)."""
    if row.score is not None and row.score != audit.audited_score:
        raise RowRefused(
            "score",
            _(
                "本项由系统根据提交时的社区基础数据自动核验计分（%(score)s分），不能手工打分；"
                "数据有误的，请填写修改要求退回区市更正社区名录。"
            )
            % {"score": plain_number(audit.audited_score) or "—"},
        )
    for field, text in (("reason", row.reason), ("comment", row.comment)):
        if text.strip() and text.strip() not in (audit.reason, audit.comment):
            raise RowRefused(field, _("本项由系统自动核验计分，市办只能填写修改要求。"))
    request = _bounded(row.revision_request, "request", _("修改要求"))
    return audit.audited_score, audit.reason, audit.comment, request


def _clean_row(
    row: AuditRow, item: Item, self_score: Decimal | None
) -> tuple[Decimal | None, str, str, str]:
    """The row as stored, or RowRefused. The page's form has parsed it already; the score and
    text rules are asked again so that no caller (the demo, a script) stores what the page
    would refuse."""
    try:
        score = parse_score(row.score, item.max_points)
    except ScoreError as exc:
        raise RowRefused("score", str(exc)) from exc
    reason = _bounded(row.reason, "reason", _("调整理由"))
    comment = _bounded(row.comment, "comment", _("审核意见"))
    request = _bounded(row.revision_request, "request", _("修改要求"))
    if score is not None and score != self_score and not reason:
        raise RowRefused(
            "reason",
            _("审核得分%(score)s分与自评得分%(self)s分不同，请填写调整理由。")
            % {"score": plain_number(score), "self": plain_number(self_score) or "—"},
        )
    return score, reason, comment, request


def _bounded(text: str, field: str, label: str) -> str:
    try:
        return bounded_text(text, MAX_COMMENT, label)
    except ActionRefused as exc:
        raise RowRefused(field, exc.message) from exc


def do_pass_audit(
    submission_id: int, comment: str = "", *, actor: Actor, ip: str | None = None
) -> Submission:
    comment = bounded_text(comment, MAX_COMMENT, _("审核意见"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.AUDIT_ITEM, actor)
        _figures, written = ensure_auto_audits(submission, actor)
        submission.audit_comment = comment
        move(
            submission,
            Action.PASS_AUDIT,
            actor=actor,
            ip=ip,
            comment=comment,
            details={"system_scored": written} if written else None,
        )
    return submission


def do_recheck_figures(submission_id: int, *, actor: Actor, ip: str | None = None) -> int:
    """The office re-checks register figures edited after the submission and takes them
    over: the auto-verified items of the round are scored again on them. Returns how many
    figures changed."""
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.AUDIT_ITEM, actor)
        figures = frozen_figures(submission)
        if figures is None:
            raise ActionRefused(_("该申报没有提交时的社区基础数据，无需复核。"))
        changes = recheck_figures(figures, actor)
        if not changes:
            raise ActionRefused(_("社区基础数据在提交后没有修改，无需复核。"))
        write_auto_audits(submission, figures, actor)
        # The log recomputes the submission's scores once this commits.
        log(
            submission,
            Action.AUDIT_ITEM,
            submission.status,
            actor=actor,
            ip=ip,
            comment=_("复核提交后修改的社区基础数据：")
            + "；".join(f"{c.label} {c.old}→{c.new}" for c in changes),
            details={
                "round": submission.audit_round,
                "figures": {c.field: [c.old, c.new] for c in changes},
            },
        )
    return len(changes)


def unchecked_changes_text(submission: Submission) -> str:
    """Why a pass must wait for the office to re-check edited figures, or ""."""
    changes = figure_changes(frozen_figures(submission))
    if not changes:
        return ""
    return _("社区基础数据在提交后已修改（%(changes)s），请先复核后再审核通过。") % {
        "changes": "；".join(f"{c.label} {c.old}→{c.new}" for c in changes)
    }


def do_request_revision(
    submission_id: int, comment: str, *, actor: Actor, ip: str | None = None
) -> Submission:
    comment = bounded_text(comment, MAX_COMMENT, _("退回意见"))
    if not comment:
        raise ActionRefused(_("退回区市修改时必须填写退回意见。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        submission.audit_comment = comment
        move(
            submission,
            Action.REQUEST_REVISION,
            actor=actor,
            ip=ip,
            comment=comment,
            details={"round": submission.audit_round},
        )
    return submission


def do_reject(
    submission_id: int, reason: str, *, actor: Actor, ip: str | None = None
) -> Submission:
    reason = bounded_text(reason, MAX_COMMENT, _("不通过理由"))
    if not reason:
        raise ActionRefused(_("审核不通过时必须填写理由。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        submission.audit_comment = reason
        move(submission, Action.REJECT, actor=actor, ip=ip, comment=reason)
    return submission
