"""One-time survey codes: how they look, how they are made, and whether one may be used now.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 59 bits
of randomness from ``secrets``: guessing one is hopeless, and a resident can still type it
from the printed card when the QR code cannot be scanned.
"""

import enum
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from campaign.kernel.users import Actor
from campaign.pipeline.models import Phase, Status, Submission
from campaign.pipeline.workflow import chinese_date, phase_dates, today
from campaign.survey.models import SurveyCode, SurveyResponse

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
GROUP = 4


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str:
    """What a resident typed (spaces, dashes, lower case) as the stored token; "" if it cannot
    be one."""
    token = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    if len(token) != LENGTH or any(ch not in ALPHABET for ch in token):
        return ""
    return token


def display(token: str) -> str:
    """The token in groups of four, as printed: 7KQ2-M9XD-4HPA."""
    return "-".join(token[i : i + GROUP] for i in range(0, len(token), GROUP))


def create_codes(submission: Submission, count: int, actor: Actor) -> list[SurveyCode]:
    """``count`` new codes for the community. A collision with an existing token is
    astronomically unlikely; the unique column catches it and the batch is drawn again."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return SurveyCode.objects.bulk_create(
                    SurveyCode(submission=submission, token=new_token(), created_by=actor)
                    for _n in range(count)
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not draw unique survey codes")


class CodeState(enum.Enum):
    OPEN = "open"
    UNKNOWN = "unknown"
    USED = "used"
    VOIDED = "voided"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    CLOSED = "closed"


def state_of(code: SurveyCode | None, *, used: bool | None = None) -> CodeState:
    """Whether the code may be answered today. ``used`` saves the query when the caller knows.
    Codes expire with the survey phase (extensions included) and when the office has ended the
    community's survey."""
    if code is None:
        return CodeState.UNKNOWN
    if code.voided_at is not None:
        return CodeState.VOIDED
    if used is None:
        used = SurveyResponse.objects.filter(code=code).exists()
    if used:
        return CodeState.USED
    submission = code.submission
    if submission.status != Status.SURVEYING:
        return CodeState.CLOSED
    dates = phase_dates(submission.campaign).get(Phase.SURVEY)
    day = today()
    if dates is None or day < dates.starts_on:
        return CodeState.NOT_YET
    if day > dates.ends_on:
        return CodeState.EXPIRED
    return CodeState.OPEN


def refusal_text(state: CodeState, code: SurveyCode | None = None) -> str:
    """What a resident reads when the code cannot be answered."""
    if state is CodeState.USED:
        return _("这个调查码已经使用过，每个调查码只能填写一次。感谢您的参与！")
    if state is CodeState.VOIDED:
        return _("这个调查码已作废，请向调查员索取新的调查码。")
    if state is CodeState.CLOSED:
        return _("该社区的满意度调查已经结束，感谢您的关注。")
    if state in (CodeState.NOT_YET, CodeState.EXPIRED) and code is not None:
        dates = phase_dates(code.submission.campaign).get(Phase.SURVEY)
        if dates is not None:
            return _("满意度调查时间为%(start)s至%(end)s，当前不在调查时间内。") % {
                "start": chinese_date(dates.starts_on),
                "end": chinese_date(dates.ends_on),
            }
    if state in (CodeState.NOT_YET, CodeState.EXPIRED):
        return _("当前不在满意度调查时间内。")
    return _("没有找到这个调查码，请核对调查卡上的12位调查码后重新输入。")


def counts_by_state(submission_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per community: codes generated, used, voided and still open (one query)."""
    rows = (
        SurveyCode.objects.filter(submission_id__in=list(submission_ids))
        .values("submission_id")
        .annotate(
            total=Count("pk"),
            used=Count("pk", filter=Q(response__isnull=False)),
            voided=Count("pk", filter=Q(voided_at__isnull=False, response__isnull=True)),
        )
    )
    return {
        row["submission_id"]: {
            "total": row["total"],
            "used": row["used"],
            "voided": row["voided"],
            "unused": row["total"] - row["used"] - row["voided"],
        }
        for row in rows
    }
