"""Evidence files (佐证材料) for a self-assessment."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.assessment import evidence
from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from campaign.pipeline.actions import check, lock_or_start
from campaign.pipeline.files import StoredFiles, Uploads, inspect_uploads
from campaign.pipeline.models import EvidenceFile, ItemAssessment, Submission
from campaign.pipeline.workflow import Action, ActionRefused
from standards.models import Item

# Evidence changes like a score does: only while the submission is editable and its phase is
# open (Action.SAVE). The files themselves are checked, written and removed by ``evidence``.


@dataclass(frozen=True)
class EvidenceOutcome:
    item: Item
    stored: list[EvidenceFile]
    # (name uploaded this time, the identical file already in the library)
    reused: list[tuple[str, EvidenceFile]]
    linked: list[EvidenceFile]
    already_linked: list[EvidenceFile]


def do_upload_evidence(
    campaign_id: int,
    community_id: int,
    item_id: int,
    files: Uploads,
    *,
    link_ids: list[int] | None = None,
    actor: Actor,
    ip: str | None = None,
) -> EvidenceOutcome:
    """Store the files in the submission's library and link them to the item (with
    ``link_ids``, files already in the library too). A file whose SHA-256 is already there is
    not stored again but linked. One bad file refuses the whole batch and leaves nothing."""
    candidates = inspect_uploads(files)
    with StoredFiles() as written, transaction.atomic(durable=True):
        submission, assessment = _evidence_target(campaign_id, community_id, item_id, actor)
        library = {
            f.sha256: f
            for f in EvidenceFile.objects.filter(
                submission=submission, sha256__in=[c.sha256 for c in candidates]
            )
        }
        fresh = {c.sha256: c.size for c in candidates if c.sha256 not in library}
        evidence.check_submission_total(submission, sum(fresh.values()))
        current = set(assessment.evidence.values_list("pk", flat=True))
        stored: list[EvidenceFile] = []
        reused: list[tuple[str, EvidenceFile]] = []
        for candidate in candidates:
            known = library.get(candidate.sha256)
            if known is not None:
                reused.append((candidate.name, known))
                continue
            stored_name, thumbnail_name = written.store(submission, candidate)
            library[candidate.sha256] = EvidenceFile.objects.create(
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
            audit_log.record(
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
    actor: Actor,
    ip: str | None = None,
) -> EvidenceOutcome:
    """Link files already in the submission's library to one more item."""
    if not evidence_ids:
        raise ActionRefused(_("请勾选要关联的文件。"))
    with transaction.atomic(durable=True):
        submission, assessment = _evidence_target(campaign_id, community_id, item_id, actor)
        current = set(assessment.evidence.values_list("pk", flat=True))
        linked, already = _link_from_library(submission, assessment, evidence_ids, current)
        if linked:
            assessment.evidence.add(*linked)
            submission.save(update_fields=["updated_at"])
            audit_log.record(
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
    actor: Actor,
    ip: str | None = None,
) -> EvidenceFile:
    """Take a file off one item; it stays in the library (other items may use it)."""
    with transaction.atomic(durable=True):
        submission = lock_or_start(campaign_id, community_id)
        check(submission, Action.SAVE, actor)
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
        audit_log.record(
            "evidence.unlink",
            actor=actor,
            target=submission,
            district_id=submission.district_id,
            details={"item": assessment.item.code, "files": [_evidence_details(unlinked)]},
            ip=ip,
        )
    return unlinked


def _evidence_target(
    campaign_id: int, community_id: int, item_id: int, actor: Actor
) -> tuple[Submission, ItemAssessment]:
    """The submission and the item's assessment, locked, once the rules allow a change."""
    submission = lock_or_start(campaign_id, community_id)
    check(submission, Action.SAVE, actor)
    item = Item.objects.get(pk=item_id, standard_id=submission.campaign.standard_id)
    if item.is_survey_scored:
        raise ActionRefused(
            _("%(code)s %(title)s由满意度调查计分，社区不自评，不需要上传佐证材料。")
            % {"code": item.code, "title": item.title}
        )
    assessment, _created = ItemAssessment.objects.select_for_update().get_or_create(
        submission=submission, item=item
    )
    return submission, assessment


def _link_from_library(
    submission: Submission, assessment: ItemAssessment, evidence_ids: list[int], current: set[int]
) -> tuple[list[EvidenceFile], list[EvidenceFile]]:
    """The library files to link now, and those already linked; refuse ids not in it."""
    if not evidence_ids:
        return [], []
    wanted = set(evidence_ids)
    found = list(
        EvidenceFile.objects.select_for_update()
        .filter(submission=submission, pk__in=wanted)
        .order_by("pk")
    )
    if len(found) != len(wanted):
        raise ActionRefused(_("所选文件不在本社区的材料库中，可能已被删除，请刷新页面。"))
    return (
        [f for f in found if f.pk not in current],
        [f for f in found if f.pk in current],
    )


def _evidence_details(file: EvidenceFile) -> dict[str, Any]:
    return {"name": file.original_name, "sha256": file.sha256, "size": file.size, "kind": file.kind}
