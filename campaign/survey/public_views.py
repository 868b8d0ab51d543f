"""The residents' phone page: a resident scans the QR code on a survey card (usually inside
WeChat) or types its code, answers, and is thanked. Public, no login, no JavaScript, no cookies.

These views never touch ``request.user`` or the session, and render without context processors
(``render_to_string`` with no request): the page is anonymous, sets no cookie and costs no
session or user query on survey day.
"""

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaign.survey import answering, codes
from campaign.survey.answering import Outcome, Questionnaire

TEMPLATES = "campaign/survey/public/"
CODE_FIELD = "code"

# How a refused code answers: a code nobody issued is not there; one that was used, voided or
# has expired is gone for good; one whose survey has not started yet is refused for now.
REFUSAL_STATUS = {
    codes.CodeState.UNKNOWN: 404,
    codes.CodeState.NOT_YET: 403,
    codes.CodeState.USED: 410,
    codes.CodeState.VOIDED: 410,
    codes.CodeState.EXPIRED: 410,
    codes.CodeState.CLOSED: 410,
}


def _page(template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = HttpResponse(render_to_string(TEMPLATES + template, context), status=status)
    # A shared phone or a proxy must not keep a questionnaire, an answer or a refusal.
    response["Cache-Control"] = "no-store"
    return response


def _redirect(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response


@functools.cache
def _thanks_url(script_prefix: str) -> str:
    # Reversed once per process (and script prefix): for every stored answer, reversing would
    # cost more than the rest of its redirect.
    return reverse("survey_thanks")


def _start_page(typed: str = "", error: str = "", status: int = 200) -> HttpResponse:
    return _page(
        "start.html",
        {"typed": typed, "error": error, "field": CODE_FIELD, "length": codes.LENGTH},
        status,
    )


# The start form only redirects; it changes nothing, so there is nothing for CSRF to protect,
# and a WeChat browser that dropped the CSRF cookie would otherwise get a failure page.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_start(request: HttpRequest) -> HttpResponse:
    """Type the 12-character code from the printed card (dashes, spaces, lower case are fine)."""
    data = request.POST if request.method == "POST" else request.GET
    if CODE_FIELD not in data:
        return _start_page()
    typed = data.get(CODE_FIELD, "")[:40]
    token = codes.normalize(typed)
    if not token:
        error = _("调查码由%(n)d位字母和数字组成，请对照调查卡重新输入。") % {"n": codes.LENGTH}
        return _start_page(typed, error, status=400)
    return _redirect(reverse("survey_answer", args=[token]))


def _refusal_page(questionnaire: Questionnaire) -> HttpResponse:
    return _page(
        "message.html",
        {
            "message": questionnaire.refusal,
            "unknown": questionnaire.state is codes.CodeState.UNKNOWN,
            "used": questionnaire.state is codes.CodeState.USED,
        },
        REFUSAL_STATUS[questionnaire.state],
    )


def _questionnaire_page(
    questionnaire: Questionnaire, stamp: str, outcome: Outcome | None = None
) -> HttpResponse:
    code = questionnaire.code
    assert code is not None
    chosen = outcome.chosen if outcome else {}
    errors = outcome.errors if outcome else {}
    questions = [
        {
            "number": question.number,
            "field": answering.field_name(question.position),
            "text": question.text,
            "options": (
                questionnaire.form.awareness_options
                if question.awareness and questionnaire.form
                else questionnaire.options
            ),
            "chosen": chosen.get(question.position),
            "error": errors.get(question.position, ""),
        }
        for question in questionnaire.questions
    ]
    missing = [question for question in questions if question["error"]]
    return _page(
        "questionnaire.html",
        {
            "campaign_name": questionnaire.campaign_name,
            "community_name": questionnaire.community_name,
            "district_name": questionnaire.district_name,
            "notice": questionnaire.notice,
            "questions": questions,
            "options": questionnaire.options,
            "missing": missing,
            "stamp_field": answering.STAMP_FIELD,
            "stamp": stamp,
            "code_display": codes.display(code.token),
        },
        status=400 if missing else 200,
    )


# Exempt from CSRF on purpose. The unguessable one-time code in the URL is the capability: a
# forged cross-site POST would need the code, and whoever holds the code may answer anyway.
# WeChat's in-app browser sometimes drops cookies between loading and submitting, and a CSRF
# failure page would throw away a resident's answers, so the page sets no cookie at all.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    canonical = codes.normalize(token)
    if canonical and canonical != token and request.method == "GET":
        return _redirect(reverse("survey_answer", args=[canonical]))
    if request.method == "POST":
        stamp = request.POST.get(answering.STAMP_FIELD, "")
        outcome = answering.submit_answers(canonical, request.POST, stamp)
        if outcome.stored:
            return _redirect(_thanks_url(get_script_prefix()))
        assert outcome.questionnaire is not None  # read whenever nothing was stored
        if outcome.refused:
            return _refusal_page(outcome.questionnaire)
        # Sent back with errors: the first stamp rides along, so the time counts from the start.
        if answering.stamped_start(stamp, canonical) is None:
            stamp = answering.start_stamp(canonical)
        return _questionnaire_page(outcome.questionnaire, stamp, outcome)
    questionnaire = answering.load_questionnaire(canonical)
    if not questionnaire.is_open:
        return _refusal_page(questionnaire)
    return _questionnaire_page(questionnaire, answering.start_stamp(canonical))


@require_http_methods(["GET", "HEAD"])
def survey_thanks(request: HttpRequest) -> HttpResponse:
    return _page("thanks.html", {})
