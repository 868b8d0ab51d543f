"""The demo's satisfaction survey, through the real paths: a survey firm's workbook imported by
the office for the candidates that went on to the joint review (then ended and frozen), and,
for the one community still in the survey, one-time codes of which residents have answered some
on their phones, plus a firm's file with a too-fast questionnaire and a cluster of identical
ones from one interviewer: the office has flags to rule on and a sample still short."""

import datetime
import random
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from campaign.pipeline.models import Campaign, Submission
from campaign.survey.actions import do_finish_survey, do_generate_codes, do_review_questionnaires
from campaign.survey.answering import field_name, start_stamp, submit_answers
from campaign.survey.defaults import config_for
from campaign.survey.import_actions import do_import_survey
from campaign.survey.models import (
    AWARENESS_OPTIONS,
    Channel,
    Quality,
    QuestionKind,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
)
from campaign.survey.sheet import FIXED
from campaign.survey.sheet_template import question_header

FIRM = "威海某调查公司"
COLLECTORS = ("刘晓燕", "张伟", "王芳", "陈静")


# The share of 是 to each awareness question (item 6.2): around its targets of 80/60/30 %.
AWARENESS_SHARES = (0.85, 0.6, 0.3)


def _answers(
    rng: random.Random, overall: int, questions: list[SurveyQuestion], options: int
) -> list[int]:
    """Answer positions for every question: the overall answer, the other satisfaction
    answers near it, and 是 (1) / 否 (2) to the awareness questions."""
    answers = []
    shares = iter(AWARENESS_SHARES)
    for question in questions:
        if question.is_overall:
            answers.append(overall)
        elif question.kind == QuestionKind.AWARENESS:
            answers.append(1 if rng.random() < next(shares, 0.5) else 2)
        else:
            drift = rng.choice((0, 0, 0, 1, -1))
            answers.append(min(max(overall + drift, 1), options - 1))
    return answers


def _labels(questions: list[SurveyQuestion], options: dict[int, str]) -> list[dict[int, str]]:
    """Per question, the label of each answer position: the options, or 是/否."""
    yes_no = {n: str(label) for n, label in enumerate(AWARENESS_OPTIONS, start=1)}
    return [yes_no if q.kind == QuestionKind.AWARENESS else options for q in questions]


def _overall_answers(rng: random.Random, count: int, satisfied_share: float) -> list[int]:
    """满意 / 基本满意 (1, 2) for the share, 不满意 (3) for the rest, and a 不了解 (4) or two."""
    satisfied = round(count * satisfied_share)
    answers = [rng.choice((1, 1, 1, 2)) for _n in range(satisfied)]
    answers += [3] * (count - satisfied - 1) + [4]
    rng.shuffle(answers)
    return answers


def _workbook(campaign: Campaign, rows: list[list[Any]]) -> bytes:
    questions = list(SurveyQuestion.objects.filter(campaign=campaign))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*FIXED, *(question_header(q) for q in questions)])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(
    submission: Submission,
    reference: str,
    collector: str,
    started: datetime.datetime,
    seconds: int,
    answers: list[int],
    labels: list[dict[int, str]],
) -> list[Any]:
    local = timezone.localtime(started).replace(tzinfo=None, microsecond=0)
    return [
        submission.community.code,
        submission.community.name,
        reference,
        str(Channel.VISIT.label),
        collector,
        local,
        local + datetime.timedelta(seconds=seconds),
        *(by_position[a] for by_position, a in zip(labels, answers, strict=True)),
    ]


SHORT_SAMPLE = 18
SHORT_REASON = (
    "调查期内该社区多数住户外出务工，入户仅回收有效问卷18份；经研究不再延期，不计满意度得分。"
)


def seed_survey(
    campaign: Campaign,
    office: Any,
    finished: list[Submission],
    open_one: Any,
    *,
    short: Submission | None = None,
) -> None:
    """Survey ``finished`` (all in the survey state) to the end; leave ``open_one`` mid-way.
    ``short`` gets fewer questionnaires than the sample size: the office ends it with its
    reason, without points."""
    rng = random.Random(2020)
    config_for(campaign)
    options = {o.position: o.label for o in SurveyOption.objects.filter(campaign=campaign)}
    questions = list(SurveyQuestion.objects.filter(campaign=campaign))
    labels = _labels(questions, options)
    started = timezone.now() - datetime.timedelta(days=3)
    rows: list[list[Any]] = []
    for index, submission in enumerate(finished):
        share = 0.84 + (index % 6) * 0.025
        count = SHORT_SAMPLE if submission == short else 32 + index % 5
        for n, overall in enumerate(_overall_answers(rng, count, share)):
            answers = _answers(rng, overall, questions, len(options))
            rows.append(
                _row(
                    submission,
                    f"WH{submission.pk:03d}{n + 1:03d}",
                    COLLECTORS[n % len(COLLECTORS)],
                    started + datetime.timedelta(minutes=7 * n),
                    rng.randint(95, 420),
                    answers,
                    labels,
                )
            )
    first_file = f"{FIRM}入户调查问卷（第一批）.xlsx"
    do_import_survey(campaign.pk, first_file, _workbook(campaign, rows), actor=office)
    for submission in finished:
        # An interviewer may well hand in several all-满意 questionnaires: looked at, kept.
        flagged = SurveyResponse.objects.filter(submission=submission, quality=Quality.FLAGGED)
        keep = dict.fromkeys(flagged.values_list("pk", flat=True), False)
        if keep:
            do_review_questionnaires(submission.pk, keep, actor=office)
        if submission == short:
            do_finish_survey(submission.pk, SHORT_REASON, True, actor=office)
        else:
            do_finish_survey(submission.pk, actor=office)
    _half_way(campaign, office, open_one, rng, questions, options)


def _half_way(
    campaign: Campaign,
    office: Any,
    submission: Submission,
    rng: random.Random,
    questions: list[SurveyQuestion],
    options: dict[int, str],
) -> None:
    labels = _labels(questions, options)
    count = len(questions)
    codes = do_generate_codes(submission.pk, "40", actor=office)
    now = timezone.now()
    for n, code in enumerate(codes[:16]):
        overall = 3 if n % 9 == 8 else rng.choice((1, 1, 2))
        answers = _answers(rng, overall, questions, len(options))
        data = {field_name(p): str(a) for p, a in enumerate(answers, start=1)}
        stamp = start_stamp(code.token, now - datetime.timedelta(seconds=rng.randint(70, 300)))
        submit_answers(code.token, data, stamp, now=now)

    def at(minutes: int) -> datetime.datetime:
        return now - datetime.timedelta(days=1) + datetime.timedelta(minutes=minutes)

    rows = [
        _row(submission, f"RC{n:03d}", "赵磊", at(9 * n), 180, [2, *[1] * (count - 1)], labels)
        for n in (1, 2, 3)
    ]
    # Five identical questionnaires from one interviewer, and one filled in in 12 seconds.
    rows += [
        _row(submission, f"RC{n:03d}", "孙强", at(4 * n), 150, [1] * count, labels)
        for n in (4, 5, 6, 7, 8)
    ]
    rows.append(_row(submission, "RC009", "赵磊", at(120), 12, [2] * count, labels))
    second_file = f"{FIRM}入户调查问卷（荣成市补充）.xlsx"
    do_import_survey(campaign.pk, second_file, _workbook(campaign, rows), actor=office)
