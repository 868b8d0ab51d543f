"""A resident answering the survey by code: the questionnaire a code opens, checking the answers
and storing one questionnaire. The page is public and the code is its only credential, so
everything here starts from the token.

Single use is the database's job: a questionnaire's code column is unique, so of two
simultaneous submissions of one code exactly one commits and the other meets an IntegrityError,
reported as "already used".

Survey day means many phones at once, all answering one campaign's questionnaire: an answer POST
reads the answers against the questionnaire this process used last and stores them with one
statement that checks in the database that the code may be answered and opens that very
questionnaire (``answer_store``). Only when it stores nothing does the lookup run, to say why
(the code is unknown or refused, an answer is missing) or to store against the right
questionnaire. The checks and the refusal texts are the shared code (``codes``, ``quality``).

The form's contract (also used by the load benchmark): one field ``q<question position>`` per
question whose value is the chosen option's position (``q1=2``), and ``t``, the signed moment
the page was served.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core import signing
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign, CampaignPhase, Phase, Submission
from campaign.pipeline.workflow import today
from campaign.survey import answer_store, codes, quality
from campaign.survey.answer_store import Form, Option, Question
from campaign.survey.defaults import config_for
from campaign.survey.models import SurveyCode

STAMP_FIELD = "t"
STAMP_SALT = "campaign.survey.answering.started"


def field_name(position: int) -> str:
    return f"q{position}"


@dataclass
class Questionnaire:
    """What one code opens, with what its page shows."""

    token: str
    code: SurveyCode | None
    state: codes.CodeState
    form: Form | None = None  # read only when the code is open
    campaign_name: str = ""
    community_name: str = ""
    district_name: str = ""
    notice: str = ""

    @property
    def is_open(self) -> bool:
        return self.state is codes.CodeState.OPEN

    @property
    def refusal(self) -> str:
        return codes.refusal_text(self.state, self.code)

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.form.questions if self.form else ()

    @property
    def options(self) -> tuple[Option, ...]:
        return self.form.options if self.form else ()


@dataclass
class Outcome:
    """The result of one POST: stored, sent back with ``errors`` (question position → message,
    the resident's ``chosen`` answers kept), or refused (the questionnaire's state says why).
    ``questionnaire`` is None only when the answers were stored at the first try, unread."""

    questionnaire: Questionnaire | None
    chosen: dict[int, int] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    stored: bool = False

    @property
    def refused(self) -> bool:
        return not self.stored and self.questionnaire is not None and not self.questionnaire.is_open


# -- the start stamp: how long the resident took, without trusting the phone -----------------


def start_stamp(token: str, now: datetime.datetime | None = None) -> str:
    """A signed "this page was served at" for the form; bound to the code so a stamp cannot be
    carried over from another questionnaire."""
    moment = int((now or timezone.now()).timestamp())
    return signing.Signer(salt=STAMP_SALT).sign(f"{token}.{moment}")


def stamped_start(stamp: str | None, token: str) -> datetime.datetime | None:
    """When the page was served, or None when the stamp is missing, forged or for another code."""
    try:
        value = signing.Signer(salt=STAMP_SALT).unsign(stamp or "")
    except signing.BadSignature:
        return None
    stamped_token, _sep, moment = value.partition(".")
    if stamped_token != token or not moment.isdigit():
        return None
    return datetime.datetime.fromtimestamp(int(moment), tz=datetime.UTC)


def duration_seconds(started: datetime.datetime | None, finished: datetime.datetime) -> int | None:
    if started is None or started > finished:
        return None  # another server's clock ran ahead: better unknown than a wrong "too fast"
    return int((finished - started).total_seconds())


# -- reading ----------------------------------------------------------------------------------


def _code_from(row: answer_store.CodeRow, token: str) -> SurveyCode:
    """The code with its submission and campaign, as ``codes.state_of`` reads them. The survey
    dates go into ``workflow.phase_dates``' per-instance cache: only the survey phase is asked
    for on this path, and the Campaign instance lives for this call only."""
    campaign = Campaign(id=row.campaign_id)
    dates = {}
    if row.survey_starts is not None and row.survey_ends is not None:
        dates[Phase.SURVEY.value] = CampaignPhase(
            campaign=campaign,
            phase=Phase.SURVEY,
            starts_on=row.survey_starts,
            ends_on=row.survey_ends,
        )
    campaign._phase_dates = dates  # type: ignore[attr-defined]
    submission = Submission(id=row.submission_id, status=row.status, campaign=campaign)
    return SurveyCode(id=row.code_id, token=token, submission=submission, voided_at=row.voided_at)


def load_questionnaire(token: str) -> Questionnaire:
    """The questionnaire ``token`` opens, whether it may be answered and what its page shows:
    one query (two when this process has not read the campaign's questionnaire yet)."""
    row = answer_store.read_code(token) if token else None
    if row is None:
        return Questionnaire(token=token, code=None, state=codes.CodeState.UNKNOWN)
    if row.version is None:
        # No settings yet: the first page ever opened creates the default questionnaire.
        config_for(Campaign.objects.get(pk=row.campaign_id))
        row = answer_store.read_code(token)
        assert row is not None and row.version is not None
    code = _code_from(row, token)
    questionnaire = Questionnaire(
        token=token,
        code=code,
        state=codes.state_of(code, used=row.used),
        campaign_name=row.campaign_name,
        community_name=row.community_name,
        district_name=row.district_name,
        notice=row.notice,
    )
    if questionnaire.is_open:
        questionnaire.form = answer_store.form_for(row.campaign_id, row.version)
    return questionnaire


def read_answers(form: Form, data: Mapping[str, str]) -> tuple[dict[int, int], dict[int, str]]:
    """The chosen option per question (by position) and an error per unanswered question."""
    chosen: dict[int, int] = {}
    errors: dict[int, str] = {}
    for question in form.questions:
        typed = (data.get(field_name(question.position)) or "").strip()
        if typed.isdigit() and int(typed) in form.positions_for(question):
            chosen[question.position] = int(typed)
        elif typed:
            errors[question.position] = _("第%(n)d题的答案无效，请从选项中重新选择。") % {
                "n": question.number
            }
        else:
            errors[question.position] = _("请回答第%(n)d题。") % {"n": question.number}
    return chosen, errors


# -- storing ----------------------------------------------------------------------------------


def _answer(
    form: Form, chosen: dict[int, int], token: str, stamp: str | None, finished: datetime.datetime
) -> answer_store.Answer:
    started = stamped_start(stamp, token)
    duration = duration_seconds(started, finished)
    too_fast = quality.is_too_fast(duration, form.config)
    return answer_store.Answer(
        pattern="".join(str(chosen[question.position]) for question in form.questions),
        started_at=started if duration is not None else None,
        finished_at=finished,
        duration_seconds=duration,
        too_fast=too_fast,
        quality=quality.initial_quality(too_fast),
    )


def _refused_as_used(token: str, chosen: dict[int, int], error: IntegrityError) -> Outcome:
    # Only the code's unique column can refuse the insert in practice; the lookup runs on the
    # failure path alone and keeps any other integrity error loud.
    questionnaire = load_questionnaire(token)
    if questionnaire.state is not codes.CodeState.USED:
        raise error
    return Outcome(questionnaire, chosen=chosen)


def submit_answers(
    token: str,
    data: Mapping[str, str],
    stamp: str | None,
    now: datetime.datetime | None = None,
) -> Outcome:
    """Store one questionnaire for the code, or say why not. One INSERT either way: nothing is
    half-saved."""
    finished = now or timezone.now()
    # Survey day: every phone answers the questionnaire this process used last. The answers
    # are read against it and stored by one statement that checks, in the database, that the
    # code may be answered and opens that questionnaire; a wrong guess stores nothing.
    guess = answer_store.latest_form()
    if guess is not None and token:
        chosen, errors = read_answers(guess, data)
        if not errors:
            answer = _answer(guess, chosen, token, stamp, finished)
            try:
                if answer_store.insert_if_open(token, guess, answer, today()):
                    return Outcome(None, chosen=chosen, stored=True)
            except IntegrityError as error:
                return _refused_as_used(token, chosen, error)

    # Not stored at the first try: the lookup says why, or finds the questionnaire to use.
    questionnaire = load_questionnaire(token)
    if not questionnaire.is_open:
        return Outcome(questionnaire)
    code, form = questionnaire.code, questionnaire.form
    assert code is not None and form is not None
    chosen, errors = read_answers(form, data)
    if errors:
        return Outcome(questionnaire, chosen=chosen, errors=errors)
    try:
        answer_store.insert(
            code.pk, code.submission_id, _answer(form, chosen, token, stamp, finished)
        )
    except IntegrityError as error:
        return _refused_as_used(token, chosen, error)
    return Outcome(questionnaire, chosen=chosen, stored=True)
