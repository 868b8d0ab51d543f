"""The office's audit of forwarded communities."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, log, move, plain_number
from campaign.pipeline.items import MAX_COMMENT, ScoreError, parse_score
from campaign.pipeline.models import ItemAssessment, ItemAudit, Submission
from campaign.pipeline.workflow import Action, ActionRefused
from standards.models import Item


@dataclass(frozen=True)
class AuditRow:
    """What the office decided for one item, parsed: blank score is "not yet audited"."""

    score: Decimal | None = None
    reason: str = ""
    comment: str = ""
    revision_request: str = ""


class RowRefused(ActionRefused):
    """One row's problem, naming the row's field it belongs to so the page can show it there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def rows_not_saved(count: int) -> str:
    """What the page says when some rows are wrong: the same whoever found the problem."""
    return _("有%(n)d个小项填写有误，本次审核打分均未保存，请修改后重新保存。") % {"n": count}


class AuditRowsRefused(ActionRefused):
    """Some rows of an audit save are wrong; nothing was saved. ``by_item`` holds each bad
    item's problem and ``fields`` the field it concerns, so the page can show it beside the
    field with the input kept."""

    def __init__(
        self, by_item: dict[int, str], fields: dict[int, str], problems: list[str]
    ) -> None:
        super().__init__(rows_not_saved(len(by_item)), problems)
        self.by_item = by_item
        self.fields = fields


def do_audit_items(
    submission_id: int, rows: dict[int, AuditRow], *, actor: Actor, ip: str | None = None
) -> int:
    """Save the office's scores for the current audit round, all rows or none. Returns how
    many items changed."""
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.AUDIT_ITEM, actor)
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
        cleaned: dict[int, tuple[Decimal | None, str, str, str]] = {}
        for item_id, row in rows.items():
            item = items.get(item_id)
            if item is None:
                raise ActionRefused(_("审核的小项不属于本次创建标准。"))
            try:
                cleaned[item_id] = _clean_row(row, item, self_scores.get(item_id))
            except RowRefused as exc:
                by_item[item_id], fields[item_id] = exc.message, exc.field
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
            audit.updated_by = actor
            audit.save()
            changes[items[item_id].code] = {
                "audited_score": [plain_number(before[0]), plain_number(score)],
                **({"reason": reason} if reason != before[1] else {}),
                **({"comment": comment} if comment != before[2] else {}),
                **({"revision_request": request} if request != before[3] else {}),
            }
        if changes:
            log(
                submission,
                Action.AUDIT_ITEM,
                submission.status,
                actor=actor,
                ip=ip,
                details={"round": submission.audit_round, "items": changes},
            )
    return len(changes)


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
        submission.audit_comment = comment
        move(submission, Action.PASS_AUDIT, actor=actor, ip=ip, comment=comment)
    return submission


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
