"""The full score matrix (得分明细): one row per community with a score snapshot, by community
code; for each of the standard's items its 自评, 审核 and 联审后 score; then the stage totals.

The item scores are ``scoring.scores``' own rows (``item_score_tuples``, the one definition of
an item's score at each stage), read as float tuples from a server-side cursor: each
community's row is written as soon as its last item arrives, so memory does not
grow with the number of communities. Scores travel as floats (whole or half points, exact in
binary) and data cells carry no styles, so writing costs what openpyxl itself costs."""

import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign, Submission
from scoring.engine.models import ScoreSnapshot, Stage
from scoring.engine.scores import item_score_tuples
from scoring.exports.workbook import (
    Column,
    Params,
    Progress,
    data_text,
    export_date_note,
    finish_sheet,
    new_workbook,
    no_progress,
    start_sheet,
)
from standards.models import Item

STAGES = (Stage.SELF, Stage.AUDIT, Stage.JOINT)
PROGRESS_EVERY = 250


def file_name(campaign: Campaign, moment: datetime.datetime) -> str:
    return _("%(campaign)s得分明细（%(date)s）.xlsx") % {
        "campaign": campaign.name,
        "date": f"{timezone.localtime(moment):%Y%m%d}",
    }


def _communities(campaign: Campaign) -> dict[int, list[Any]]:
    """Each submission with a snapshot: its code, name, district and stage totals."""
    position = {stage.value: n for n, stage in enumerate(STAGES)}
    communities: dict[int, list[Any]] = {
        pk: [code, data_text(name), data_text(district), None, None, None]
        for pk, code, name, district in Submission.objects.filter(
            campaign=campaign,
            pk__in=ScoreSnapshot.objects.filter(campaign=campaign).values("submission_id"),
        ).values_list("pk", "community__code", "community__name", "district__name")
    }
    for submission_id, stage, total in ScoreSnapshot.objects.filter(campaign=campaign).values_list(
        "submission_id", "stage", "total"
    ):
        communities[submission_id][3 + position[stage]] = float(total)
    return communities


def write(
    campaign: Campaign,
    target: BinaryIO,
    progress: Progress = no_progress,
    params: Params | None = None,
) -> None:
    moment = timezone.now()
    items = list(
        Item.objects.filter(standard_id=campaign.standard_id).order_by("display_order", "pk")
    )
    communities = _communities(campaign)
    stage_labels = [_("自评"), _("审核"), _("联审后")]
    columns = [
        Column(_("社区代码"), 14),
        Column(_("社区名称"), 16),
        Column(_("区市"), 12),
        *(Column(label, 6) for _item in items for label in stage_labels),
        *(Column(_("%(stage)s总分") % {"stage": label}, 8) for label in stage_labels),
    ]
    groups = [
        (_("社区"), 3),
        *((f"{item.code} {item.title}", 3) for item in items),
        (_("总分"), 3),
    ]
    workbook = new_workbook()
    layout = start_sheet(
        workbook,
        _("得分明细"),
        _("%(campaign)s各社区小项得分明细") % {"campaign": campaign.name},
        _("自评为区市填报分，审核为市办审核分，联审后为成员单位联审调整后的得分 · %(exported)s")
        % {"exported": export_date_note(moment)},
        columns,
        groups=groups,
        frozen_columns=3,
        fit_to_width=False,
    )
    append = layout.sheet.append
    # The survey scores these: their self-assessment cell says so instead of a score.
    by_survey = [item.is_survey_scored for item in items]
    by_survey_text = _("由满意度调查计分")
    written = 0
    item_rows = item_score_tuples(campaign, as_float=True)
    for submission_id, scores in groupby(item_rows, key=itemgetter(0)):
        community = communities.get(submission_id)
        if community is None:
            continue
        row: list[Any] = community[:3]
        for score, survey in zip(scores, by_survey, strict=True):
            if survey:
                row.extend((by_survey_text, score[3], score[4]))
            else:
                row.extend(score[2:])
        row.extend(community[3:])
        append(row)
        written += 1
        if written % PROGRESS_EVERY == 0:
            progress(written, len(communities))
    finish_sheet(layout, written)
    progress(len(communities), len(communities))
    workbook.save(target)
