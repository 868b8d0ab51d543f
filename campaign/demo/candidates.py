"""Demo candidates at every stage after the districts' lists, moved by the real action functions
so the audit log tells their story:

- 荣成市: one returned by the office for revision, one not passed, one in the survey (see
  demo_survey: half its sample in, flagged questionnaires to rule on);
- 乳山市: three in the joint review, 市民政局 still to review them (one disagreement so far);
- 高区: two awaiting the leading group (one vetoed), one approved waiting for the notice, one
  not approved;
- 经区: two in public notice today, with one objection waiting for the office;
- 临港区 and 南海新区: an earlier notice, now over: one community removed by an upheld objection,
  three named (one after a dismissed objection), one of them recommended to the province.

Those districts have no demo accounts, so their lists arrive as if sent. The demo opens every
later phase today, so each role has work on its first page.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign.audit.actions import (
    AuditRow,
    do_audit_items,
    do_pass_audit,
    do_reject,
    do_request_revision,
)
from campaign.decision.actions import do_decide, do_record_meeting
from campaign.demo.samples import pdf_bytes
from campaign.demo.survey import seed_survey
from campaign.district.models import DistrictRecommendation
from campaign.joint.actions import OpinionRow, do_close_review, do_give_opinions, do_veto
from campaign.kernel.models import Profile
from campaign.kernel.roles import Role
from campaign.kernel.users import Actor
from campaign.pipeline.figures import frozen_figures, write_auto_audits
from campaign.pipeline.models import (
    DISTRICT_STATES,
    Campaign,
    CampaignPhase,
    Phase,
    Status,
    Submission,
)
from campaign.publication.actions import (
    do_accept_objection,
    do_dismiss_objection,
    do_investigate_objection,
    do_lodge_objection,
    do_name_communities,
    do_publish_notice,
    do_recommend_upward,
    do_uphold_objection,
)
from campaign.publication.models import PublicNotice
from standards.models import Item, MemberUnit

RONGCHENG, RUSHAN, GAOQU, JINGQU, LINGANG, NANHAI = (
    "371082",
    "371083",
    "371071",
    "371072",
    "371073",
    "371090",
)
CONTACT = (
    "威海市民政局基层政权建设和社区治理科（威海市统一路××号），电话 0631-5200000，"
    "工作日 8:30-17:30。"
)
LATER_PHASES = (Phase.AUDIT, Phase.SURVEY, Phase.JOINT_REVIEW, Phase.DECISION, Phase.PUBLICATION)
UNIT_ACCOUNTS = {"mzj": "unit.minzheng", "zzb": "unit.zuzhi"}


def seed_candidates(campaign: Campaign, password: str) -> bool:
    """Run the later stages once; a campaign that already reached them is left alone."""
    if campaign.submissions.exclude(status__in=[*DISTRICT_STATES, Status.FORWARDED]).exists():
        return False
    today = timezone.localdate()
    CampaignPhase.objects.filter(campaign=campaign, phase__in=LATER_PHASES).update(
        starts_on=today - datetime.timedelta(days=20), ends_on=today + datetime.timedelta(days=20)
    )
    users = _users(password)
    office, leader = users["office"], users["leader"]
    lists = {code: _forward(campaign, code, count, office) for code, count in _SIZES.items()}

    for submission in [s for code, subs in lists.items() for s in subs]:
        _audit_all(submission, office, differ=submission.pk % 3 == 0)
    first, second, third = lists[RONGCHENG]
    do_request_revision(first.pk, "请按修改要求补充材料后重新报送。", actor=office)
    do_reject(second.pk, "服务中心面积不足500平方米，经核实不符合创建条件。", actor=office)
    do_pass_audit(third.pk, actor=office)
    later = [s for code in (RUSHAN, GAOQU, JINGQU, LINGANG, NANHAI) for s in lists[code]]
    for submission in later:
        do_pass_audit(submission.pk, actor=office)
    gaoqu = lists[GAOQU]
    # 高区's second candidate: too few questionnaires, ended with the office's reason.
    seed_survey(campaign, office, later, third, short=gaoqu[1])

    units = list(MemberUnit.objects.filter(is_active=True, items__isnull=False).distinct())
    for submission in later:
        behind = ["mzj"] if submission.district.code == RUSHAN else []
        for unit in units:
            if unit.code not in behind:
                _review(submission, unit, users[_unit_account(unit)], disagree=unit.code == "zzb")
    do_veto(gaoqu[0].pk, "该社区年内发生较大安全生产责任事故。", actor=users["unit.zuzhi"])
    for submission in [s for s in later if s.district.code != RUSHAN]:
        do_close_review(submission.pk, actor=office)

    minutes = SimpleUploadedFile("领导小组会议纪要.pdf", pdf_bytes("Minutes"))
    meeting = do_record_meeting(
        campaign.pk, today, "市城乡社区治理工作领导小组第一次会议", minutes, actor=leader
    )
    for submission in lists[LINGANG] + lists[NANHAI]:
        do_decide(submission.pk, True, meeting.pk, "", actor=leader)
    earlier = do_publish_notice(campaign.pk, today, CONTACT, actor=office, ip=None)
    _open_today(earlier)
    upheld = _object(earlier, lists[NANHAI][0], "该社区服务中心实际面积与申报不符，附现场照片。")
    dismissed = _object(earlier, lists[LINGANG][1], "该社区停车难问题长期未解决。")
    for objection, uphold in ((upheld, True), (dismissed, False)):
        do_accept_objection(objection.pk, "已受理。", actor=office, ip=None)
        do_investigate_objection(objection.pk, "已会同区市民政局现场核实。", actor=office, ip=None)
        if uphold:
            do_uphold_objection(objection.pk, "经现场核实，异议成立。", actor=office, ip=None)
        else:
            do_dismiss_objection(
                objection.pk,
                "经核实，社区已建立停车协商机制，异议不影响命名。",
                actor=office,
                ip=None,
            )
    # The earlier notice ran two weeks ago.
    PublicNotice.objects.filter(pk=earlier.pk).update(
        starts_on=today - datetime.timedelta(days=14), ends_on=today - datetime.timedelta(days=8)
    )
    do_name_communities(campaign.pk, actor=office, ip=None)
    do_recommend_upward(
        lists[LINGANG][0].pk, "province", "党建引领、智慧社区建设成效突出。", actor=office, ip=None
    )

    for submission in lists[JINGQU]:
        do_decide(submission.pk, True, meeting.pk, "", actor=leader)
    current = do_publish_notice(campaign.pk, today, CONTACT, actor=office, ip=None)
    _open_today(current)
    _object(current, lists[JINGQU][0], "该社区垃圾分类工作流于形式。")
    do_decide(gaoqu[2].pk, True, meeting.pk, "", actor=leader)
    do_decide(gaoqu[3].pk, False, meeting.pk, "综合得分排名靠后，本次暂不命名。", actor=leader)
    return True


_SIZES = {RONGCHENG: 3, RUSHAN: 3, GAOQU: 4, JINGQU: 2, LINGANG: 2, NANHAI: 2}


def _users(password: str) -> dict[str, Any]:
    """The demo accounts, plus one reviewer account for every member unit with items."""
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    users["office"] = get_user_model().objects.get(username="office")
    users["leader"] = get_user_model().objects.get(username="leader")
    for unit in MemberUnit.objects.filter(is_active=True):
        name = _unit_account(unit)
        if name not in users:
            user = get_user_model().objects.create_user(username=name, password=password)
            Profile.objects.create(user=user, role=Role.UNIT_REVIEWER, member_unit=unit)
            users[name] = user
    return users


def _unit_account(unit: MemberUnit) -> str:
    return UNIT_ACCOUNTS.get(unit.code, f"unit.{unit.code}")


def _forward(campaign: Campaign, district_code: str, count: int, office: Any) -> list[Submission]:
    """The district's best submitted communities, as if its admin had sent them."""
    chosen = list(
        Submission.objects.filter(
            campaign=campaign, district__code=district_code, status=Status.SUBMITTED
        ).order_by("community__code")[:count]
    )
    for rank, submission in enumerate(chosen, start=1):
        submission.status = Status.FORWARDED
        submission.rank = rank
        submission.recommendation_reason = "创建特色鲜明，居民认可度高。"
        submission.save()
        figures = frozen_figures(submission)
        if figures is not None:
            write_auto_audits(submission, figures, office)
    if chosen:
        DistrictRecommendation.objects.get_or_create(
            campaign=campaign,
            district_id=chosen[0].district_id,
            defaults={"forwarded_at": timezone.now(), "forwarded_by": office},
        )
    return chosen


def _audit_all(submission: Submission, office: Any, *, differ: bool) -> None:
    rows = {}
    for assessment in submission.assessments.select_related("item"):
        if assessment.item.is_system_scored:
            continue  # the system's rows (auto-verified items) are written by the audit itself
        score = assessment.self_score or Decimal(0)
        row = AuditRow(score=score)
        if differ and assessment.item.code == "3.1" and score >= 1:
            row = AuditRow(score=score - 1, reason="实地查看：服务体系台账不全，核减1分。")
        if submission.district.code == RONGCHENG and assessment.item.code == "4.7":
            row = AuditRow(score=score, revision_request="请补充垃圾分类台账和照片。")
        rows[assessment.item_id] = row
    do_audit_items(submission.pk, rows, actor=office)


def _review(submission: Submission, unit: MemberUnit, actor: Actor, *, disagree: bool) -> None:
    items = list(Item.objects.filter(standard_id=submission.campaign.standard_id, units=unit))
    rows = [OpinionRow(item_id=item.pk, agrees=True) for item in items]
    if disagree and rows and submission.pk % 2 == 0:
        rows[0] = OpinionRow(
            item_id=items[0].pk,
            agrees=False,
            reason="党组织活动记录不完整，建议酌减。",
            adjustment=Decimal("-0.5"),
        )
    if rows:
        do_give_opinions(submission.pk, rows, actor=actor)


def _open_today(notice: PublicNotice) -> None:
    """A notice published on a weekend starts on Monday; the demo wants it open now."""
    today = timezone.localdate()
    if notice.starts_on > today:
        PublicNotice.objects.filter(pk=notice.pk).update(starts_on=today)


def _object(notice: PublicNotice, submission: Submission, content: str) -> Any:
    return do_lodge_objection(
        notice.pk, submission.community.code, "王某（居民）", "13800000000", content, [], ip=None
    )
