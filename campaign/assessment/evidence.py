"""Evidence files (佐证材料) of a self-assessment: the library's size limit and how a file is
sent back (files are checked and stored by ``campaign.pipeline.files``)."""

from django.conf import settings
from django.db.models import Sum
from django.http import Http404, HttpResponseBase
from django.utils.translation import gettext as _

from campaign.pipeline.files import KINDS, attachment_response, megabytes, send_private_file
from campaign.pipeline.models import EvidenceFile, Submission
from campaign.pipeline.workflow import ActionRefused


def check_submission_total(submission: Submission, adding: int) -> None:
    """Refuse when the new files would take the submission's library over its limit."""
    used = EvidenceFile.objects.filter(submission=submission).aggregate(total=Sum("size"))
    current = used["total"] or 0
    limit = settings.EVIDENCE_MAX_SUBMISSION_BYTES
    if current + adding > limit:
        raise ActionRefused(
            _(
                "本社区的佐证材料总量不能超过 %(limit)s：已上传 %(used)s，本次 %(adding)s。"
                "请压缩图片或删减材料后再上传，本次选择的文件均未上传。"
            )
            % {
                "limit": megabytes(limit),
                "used": megabytes(current),
                "adding": megabytes(adding),
            }
        )


def download_name(evidence: EvidenceFile) -> str:
    """The original name, with an extension that matches the content."""
    kind = KINDS[evidence.kind]
    stem, dot, suffix = evidence.original_name.rpartition(".")
    if dot and stem and suffix.lower() in kind.extensions:
        return evidence.original_name
    return f"{evidence.original_name}.{kind.extensions[0]}"


def file_response(evidence: EvidenceFile) -> HttpResponseBase:
    return attachment_response(
        evidence.stored_name, evidence.kind, download_name(evidence), ascii_stem="evidence"
    )


def thumbnail_response(evidence: EvidenceFile) -> HttpResponseBase:
    if not evidence.thumbnail_name:
        raise Http404
    response = send_private_file(evidence.thumbnail_name, "image/jpeg")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
