"""Every change to campaigns and submissions. Each function runs in one transaction, locks the
rows it changes, checks the transition table, and writes its audit row in that transaction."""

import datetime
import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, District
from standards.actions import do_freeze
from standards.models import Item

from . import audit, evidence
from .assessment import MAX_COMMENT, MAX_EXPLANATION, ScoreError, missing_items, parse_score
from .assessment_sheet_import import SheetRejected, compare, fingerprint, read_sheet
from .models import (
    Campaign,
    CampaignPhase,
    DistrictQuota,
    DistrictRecommendation,
    ItemAssessment,
    Phase,
    Status,
    Submission,
)
from .roles import scope_of
from .workflow import Action, ActionRefused, default_schedule, find_transition, require_phase_open

COMMUNITIES_PER_QUOTA_PLACE = 10


def do_create_campaign(
    year: int,
    name: str,
    standard_id: int,
    *,
    starts_on: datetime.date | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> Campaign:
    """A campaign freezes its standard: from now on changes to it become a new version. It
    starts with the default timetable and one recommendation place per ten communities."""
    schedule = default_schedule(starts_on or datetime.date(year, 7, 1))
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, name=name, standard_id=standard_id)
        do_freeze(
            standard_id, actor=actor, reason=_("被%(campaign)s使用。") % {"campaign": name}, ip=ip
        )
        CampaignPhase.objects.bulk_create(
            CampaignPhase(campaign=campaign, phase=phase, starts_on=start, ends_on=end)
            for phase, (start, end) in schedule.items()
        )
        sizes = District.objects.annotate(n=Count("communities")).values_list("pk", "n")
        DistrictQuota.objects.bulk_create(
            DistrictQuota(
                campaign=campaign,
                district_id=pk,
                quota=max(1, math.ceil(n / COMMUNITIES_PER_QUOTA_PLACE)),
            )
            for pk, n in sizes
        )
        audit.record("campaign.create", actor=actor, target=campaign, ip=ip)
    return campaign


def do_extend_phase(
    campaign_id: int,
    phase: Phase,
    ends_on: datetime.date,
    reason: str,
    *,
    actor: Any,
    ip: str | None = None,
) -> CampaignPhase:
    """Move a phase's deadline later (never earlier: work done in time stays in time)."""
    if not reason.strip():
        raise ActionRefused(_("请填写延期理由。"))
    with transaction.atomic():
        dates = CampaignPhase.objects.select_for_update().get(campaign_id=campaign_id, phase=phase)
        if ends_on <= dates.ends_on:
            raise ActionRefused(_("新的截止日期必须晚于原截止日期。"))
        previous = dates.ends_on
        dates.ends_on = ends_on
        dates.save(update_fields=["ends_on"])
        audit.record(
            "campaign.extend_phase",
            actor=actor,
            target=dates.campaign,
            from_state=f"{previous:%Y-%m-%d}",
            to_state=f"{ends_on:%Y-%m-%d}",
            comment=reason.strip(),
            details={"phase": phase.value},
            ip=ip,
        )
    return dates


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
    actor: Any,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one item of a self-assessment. An invalid score is refused but the explanation is
    still saved, so no typed word is lost; a form older than the saved item is refused whole."""
    explanation = explanation.strip()
    if len(explanation) > MAX_EXPLANATION:
        raise ActionRefused(_("自评说明不能超过%(n)d字。") % {"n": MAX_EXPLANATION})
    with transaction.atomic():
        submission = _lock_or_start(campaign_id, community_id)
        _check(submission, Action.SAVE, actor)
        item = Item.objects.get(pk=item_id, standard_id=submission.campaign.standard_id)
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
        audit.record(
            "assessment.save",
            actor=actor,
            target=submission,
            district_id=submission.district_id,
            details={"item": item.code, **changes},
            ip=ip,
        )
    return SaveOutcome(assessment, changed=True, score_error=score_error)


def _item_changes(
    assessment: ItemAssessment, score: Decimal | None, explanation: str
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if assessment.self_score != score:
        changes["score"] = [_plain(assessment.self_score), _plain(score)]
    if assessment.explanation != explanation:
        changes["explanation"] = [assessment.explanation[:200], explanation[:200]]
    return changes


def _plain(score: Decimal | None) -> str | None:
    return None if score is None else format(score.normalize(), "f")


def _lock_or_start(campaign_id: int, community_id: int) -> Submission:
    """The community's submission, locked; created (as a draft) by the first save."""
    community = Community.objects.get(pk=community_id)
    Submission.objects.get_or_create(
        campaign_id=campaign_id,
        community=community,
        defaults={"district_id": community.district_id},
    )
    return (
        Submission.objects.select_for_update()
        .select_related("campaign")
        .get(campaign_id=campaign_id, community=community)
    )


def _check(submission: Submission, action: Action, actor: Any) -> Status:
    """Role, state and dates allow the action; return the state it leads to."""
    scope = scope_of(actor)
    if scope.is_district_bound and scope.district_id != submission.district_id:
        raise ActionRefused(_("只能办理本区市的社区。"))
    transition = find_transition(submission.status, action, scope.role)
    require_phase_open(submission.campaign, transition.phase)
    return transition.target


def _move(
    submission: Submission,
    action: Action,
    *,
    actor: Any,
    ip: str | None,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    target = _check(submission, action, actor)
    previous = submission.status
    submission.status = target
    submission.save()
    audit.record(
        f"assessment.{action.value}",
        actor=actor,
        target=submission,
        district_id=submission.district_id,
        from_state=previous,
        to_state=target,
        comment=comment,
        details=details,
        ip=ip,
    )


def _locked(submission_id: int) -> Submission:
    return Submission.objects.select_for_update().select_related("campaign").get(pk=submission_id)


def do_submit(submission_id: int, *, actor: Any, ip: str | None = None) -> Submission:
    with transaction.atomic():
        submission = _locked(submission_id)
        _check(submission, Action.SUBMIT, actor)
        problems = missing_items(submission)
        if problems:
            raise ActionRefused(
                _("还有%(n)d个小项未完成，不能提交：") % {"n": len(problems)}, problems
            )
        submission.submitted_at = timezone.now()
        _move(submission, Action.SUBMIT, actor=actor, ip=ip)
    return submission


def do_return(submission_id: int, comment: str, *, actor: Any, ip: str | None = None) -> Submission:
    comment = comment.strip()
    if not comment:
        raise ActionRefused(_("退回时必须填写退回意见，说明需要修改的内容。"))
    if len(comment) > MAX_COMMENT:
        raise ActionRefused(_("退回意见不能超过%(n)d字。") % {"n": MAX_COMMENT})
    with transaction.atomic():
        submission = _locked(submission_id)
        submission.return_comment = comment
        submission.rank = None
        submission.recommendation_reason = ""
        _move(submission, Action.RETURN, actor=actor, ip=ip, comment=comment)
    return submission


def do_recommend(
    submission_id: int, rank: int, reason: str, *, actor: Any, ip: str | None = None
) -> Submission:
    """Put a submitted community on the district's list, within the district's quota."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("请填写推荐理由。"))
    if len(reason) > MAX_COMMENT:
        raise ActionRefused(_("推荐理由不能超过%(n)d字。") % {"n": MAX_COMMENT})
    with transaction.atomic():
        submission = _locked(submission_id)
        _refuse_if_forwarded(submission)
        # Locking the quota row serialises recommendations within one district.
        quota = (
            DistrictQuota.objects.select_for_update()
            .filter(campaign_id=submission.campaign_id, district_id=submission.district_id)
            .first()
        )
        places = quota.quota if quota else 0
        if not 1 <= rank <= places:
            raise ActionRefused(
                _("推荐排序应在1到%(n)d之间（本区市推荐名额%(n)d个）。") % {"n": places}
            )
        others = Submission.objects.filter(
            campaign_id=submission.campaign_id,
            district_id=submission.district_id,
            status=Status.RECOMMENDED,
        ).exclude(pk=submission.pk)
        if others.count() >= places:
            raise ActionRefused(
                _("本区市推荐名额为%(n)d个，已全部用完。请先撤销其他社区的推荐。") % {"n": places}
            )
        taken = others.filter(rank=rank).first()
        if taken is not None:
            raise ActionRefused(
                _("排序第%(rank)d位已给了%(community)s，请换一个排序。")
                % {"rank": rank, "community": taken.community}
            )
        submission.rank = rank
        submission.recommendation_reason = reason
        _move(
            submission,
            Action.RECOMMEND,
            actor=actor,
            ip=ip,
            comment=reason,
            details={"rank": rank},
        )
    return submission


def _refuse_if_forwarded(submission: Submission) -> None:
    if DistrictRecommendation.objects.filter(
        campaign_id=submission.campaign_id, district_id=submission.district_id
    ).exists():
        raise ActionRefused(_("本区市的推荐已报送市办，不能再调整推荐名单。"))


def do_withdraw_recommendation(
    submission_id: int, *, actor: Any, ip: str | None = None
) -> Submission:
    with transaction.atomic():
        submission = _locked(submission_id)
        submission.rank = None
        submission.recommendation_reason = ""
        _move(submission, Action.WITHDRAW, actor=actor, ip=ip)
    return submission


def do_forward_district(
    campaign_id: int, district_id: int, *, actor: Any, ip: str | None = None
) -> DistrictRecommendation:
    """Send the district's recommended communities to the office. It happens once; from then
    on those submissions are locked for the district."""
    with transaction.atomic():
        DistrictQuota.objects.select_for_update().filter(
            campaign_id=campaign_id, district_id=district_id
        ).first()
        if DistrictRecommendation.objects.filter(
            campaign_id=campaign_id, district_id=district_id
        ).exists():
            raise ActionRefused(_("本区市的推荐已报送市办，不能重复报送。"))
        chosen = list(
            Submission.objects.select_for_update()
            .select_related("campaign", "community")
            .filter(campaign_id=campaign_id, district_id=district_id, status=Status.RECOMMENDED)
            .order_by("rank")
        )
        if not chosen:
            raise ActionRefused(_("还没有推荐任何社区，不能报送。"))
        for submission in chosen:
            _move(submission, Action.FORWARD, actor=actor, ip=ip)
        recommendation = DistrictRecommendation.objects.create(
            campaign_id=campaign_id,
            district_id=district_id,
            forwarded_at=timezone.now(),
            forwarded_by=actor,
        )
        audit.record(
            "district.forward",
            actor=actor,
            target=recommendation,
            district_id=district_id,
            details={"communities": [s.community.code for s in chosen]},
            ip=ip,
        )
    return recommendation


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
    actor: Any,
    ip: str | None = None,
    expected_basis: str | None = None,
) -> SheetImportOutcome:
    """Apply an uploaded self-assessment sheet: every row or nothing. The file is checked again
    here, since the preview may be stale; given the preview's ``expected_basis``, an item saved
    elsewhere since the preview refuses the import rather than overwrite that save unseen.
    Raises ``SheetRejected`` (with the issues) or ``ActionRefused``; then nothing is saved."""
    with transaction.atomic():
        submission = _lock_or_start(campaign_id, community_id)
        _check(submission, Action.SAVE, actor)
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
            audit.record(
                "assessment.import",
                actor=actor,
                target=submission,
                district_id=submission.district_id,
                comment=_("%(n)d个小项有变化，%(same)d个小项无变化。")
                % {"n": len(codes), "same": unchanged},
                details={
                    "filename": filename,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "changed": codes,
                    "scores": {
                        c.item.code: [_plain(c.old_score), _plain(c.new_score)]
                        for c in changes
                        if c.score_changed
                    },
                },
                ip=ip,
            )
    return SheetImportOutcome(codes, unchanged)


# -- Evidence files (佐证材料) -----------------------------------------------------------------
# Evidence changes like a score does: only while the submission is editable and its phase is
# open (Action.SAVE). The files themselves are checked, written and removed by ``evidence``.


@dataclass(frozen=True)
class EvidenceOutcome:
    item: Item
    stored: list[evidence.EvidenceFile]
    # (name uploaded this time, the identical file already in the library)
    reused: list[tuple[str, evidence.EvidenceFile]]
    linked: list[evidence.EvidenceFile]
    already_linked: list[evidence.EvidenceFile]


def do_upload_evidence(
    campaign_id: int,
    community_id: int,
    item_id: int,
    files: evidence.Uploads,
    *,
    link_ids: list[int] | None = None,
    actor: Any,
    ip: str | None = None,
) -> EvidenceOutcome:
    """Store the files in the submission's library and link them to the item (with
    ``link_ids``, files already in the library too). A file whose SHA-256 is already there is
    not stored again but linked. One bad file refuses the whole batch and leaves nothing."""
    candidates = evidence.inspect_uploads(files)
    with evidence.StoredFiles() as written, transaction.atomic():
        submission, assessment = _evidence_target(campaign_id, community_id, item_id, actor)
        library = {
            f.sha256: f
            for f in evidence.EvidenceFile.objects.filter(
                submission=submission, sha256__in=[c.sha256 for c in candidates]
            )
        }
        fresh = {c.sha256: c.size for c in candidates if c.sha256 not in library}
        evidence.check_submission_total(submission, sum(fresh.values()))
        current = set(assessment.evidence.values_list("pk", flat=True))
        stored: list[evidence.EvidenceFile] = []
        reused: list[tuple[str, evidence.EvidenceFile]] = []
        for candidate in candidates:
            known = library.get(candidate.sha256)
            if known is not None:
                reused.append((candidate.name, known))
                continue
            stored_name, thumbnail_name = written.store(submission, candidate)
            library[candidate.sha256] = evidence.EvidenceFile.objects.create(
                submission=submission,
                original_name=candidate.name,
                kind=candidate.kind,
                size=candidate.size,
                sha256=candidate.sha256,
                stored_name=stored_name,
                thumbnail_name=thumbnail_name,
                uploaded_by=actor,
            )
            stored.append(library[candidate.sha256])
        linked, already = _link_from_library(submission, assessment, link_ids or [], current)
        uploaded = list({f.pk: f for f in [*stored, *(f for _name, f in reused)]}.values())
        new_links = [f for f in uploaded if f.pk not in current]
        already += [f for f in uploaded if f.pk in current and f not in already]
        if new_links or linked:
            assessment.evidence.add(*new_links, *linked)
            submission.save(update_fields=["updated_at"])
            audit.record(
                "evidence.upload",
                actor=actor,
                target=submission,
                district_id=submission.district_id,
                details={
                    "item": assessment.item.code,
                    "stored": [_evidence_details(f) for f in stored],
                    "reused": [{"as": name, **_evidence_details(f)} for name, f in reused],
                    "linked_from_library": [_evidence_details(f) for f in linked],
                },
                ip=ip,
            )
    return EvidenceOutcome(assessment.item, stored, reused, linked, already)


def do_link_evidence(
    campaign_id: int,
    community_id: int,
    item_id: int,
    evidence_ids: list[int],
    *,
    actor: Any,
    ip: str | None = None,
) -> EvidenceOutcome:
    """Link files already in the submission's library to one more item."""
    if not evidence_ids:
        raise ActionRefused(_("请勾选要关联的文件。"))
    with transaction.atomic():
        submission, assessment = _evidence_target(campaign_id, community_id, item_id, actor)
        current = set(assessment.evidence.values_list("pk", flat=True))
        linked, already = _link_from_library(submission, assessment, evidence_ids, current)
        if linked:
            assessment.evidence.add(*linked)
            submission.save(update_fields=["updated_at"])
            audit.record(
                "evidence.link",
                actor=actor,
                target=submission,
                district_id=submission.district_id,
                details={
                    "item": assessment.item.code,
                    "files": [_evidence_details(f) for f in linked],
                },
                ip=ip,
            )
    return EvidenceOutcome(assessment.item, [], [], linked, already)


def do_unlink_evidence(
    campaign_id: int,
    community_id: int,
    item_id: int,
    evidence_id: int,
    *,
    actor: Any,
    ip: str | None = None,
) -> evidence.EvidenceFile:
    """Take a file off one item; it stays in the library (other items may use it)."""
    with transaction.atomic():
        submission = _lock_or_start(campaign_id, community_id)
        _check(submission, Action.SAVE, actor)
        assessment = (
            ItemAssessment.objects.select_for_update()
            .select_related("item")
            .filter(submission=submission, item_id=item_id)
            .first()
        )
        unlinked = (
            assessment.evidence.select_for_update().filter(pk=evidence_id).first()
            if assessment is not None
            else None
        )
        if assessment is None or unlinked is None:
            raise ActionRefused(_("该文件没有关联到本小项，可能已被移除，请刷新页面。"))
        assessment.evidence.remove(unlinked)
        submission.save(update_fields=["updated_at"])
        audit.record(
            "evidence.unlink",
            actor=actor,
            target=submission,
            district_id=submission.district_id,
            details={"item": assessment.item.code, "files": [_evidence_details(unlinked)]},
            ip=ip,
        )
    return unlinked


def _evidence_target(
    campaign_id: int, community_id: int, item_id: int, actor: Any
) -> tuple[Submission, ItemAssessment]:
    """The submission and the item's assessment, locked, once the rules allow a change."""
    submission = _lock_or_start(campaign_id, community_id)
    _check(submission, Action.SAVE, actor)
    item = Item.objects.get(pk=item_id, standard_id=submission.campaign.standard_id)
    assessment, _created = ItemAssessment.objects.select_for_update().get_or_create(
        submission=submission, item=item
    )
    return submission, assessment


def _link_from_library(
    submission: Submission, assessment: ItemAssessment, evidence_ids: list[int], current: set[int]
) -> tuple[list[evidence.EvidenceFile], list[evidence.EvidenceFile]]:
    """The library files to link now, and those already linked; refuse ids not in it."""
    if not evidence_ids:
        return [], []
    wanted = set(evidence_ids)
    found = list(
        evidence.EvidenceFile.objects.select_for_update()
        .filter(submission=submission, pk__in=wanted)
        .order_by("pk")
    )
    if len(found) != len(wanted):
        raise ActionRefused(_("所选文件不在本社区的材料库中，可能已被删除，请刷新页面。"))
    return (
        [f for f in found if f.pk not in current],
        [f for f in found if f.pk in current],
    )


def _evidence_details(file: evidence.EvidenceFile) -> dict[str, Any]:
    return {"name": file.original_name, "sha256": file.sha256, "size": file.size, "kind": file.kind}
