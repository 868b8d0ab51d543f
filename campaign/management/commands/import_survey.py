from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campaign.kernel.roles import Capability, scope_of
from campaign.pipeline.models import Campaign
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.import_actions import SurveyImportReport, do_import_survey
from communities.sheets import SheetError, read_file


class Command(BaseCommand):
    help = _(
        "导入调查公司的满意度调查问卷（.xlsx，一行一份问卷）。有任何错误则全部不导入；"
        "同一文件只能导入一次。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并显示结果，不保存"))
        parser.add_argument(
            "--campaign", type=int, metavar="YEAR", help=_("活动年度（默认为最新的活动）")
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("记为操作人的领导小组办公室账号（默认记为“系统（命令行）”）"),
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        dry_run: bool,
        campaign: int | None,
        user: str | None,
        **options: Any,
    ) -> None:
        chosen = self._campaign(campaign)
        actor = self._actor(user)
        try:
            data = read_file(file)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        try:
            report = do_import_survey(chosen.pk, file.name, data, actor=actor, dry_run=dry_run)
        except ActionRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(exc.message) from exc
        self._print(report)

    def _campaign(self, year: int | None) -> Campaign:
        if year is None:
            found = Campaign.objects.current()
            if found is None:
                raise CommandError(_("系统中还没有创建活动。"))
            return found
        found = Campaign.objects.filter(year=year).first()
        if found is None:
            raise CommandError(_("没有%(year)d年度的创建活动。") % {"year": year})
        return found

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("没有名为“%(name)s”的有效账号。") % {"name": username})
        if not scope_of(user).can(Capability.AUDIT):
            raise CommandError(
                _("账号“%(name)s”不是领导小组办公室的账号，不能导入调查问卷。") % {"name": username}
            )
        return user

    def _print(self, report: SurveyImportReport) -> None:
        for line in report.communities:
            text = _("%(district)s %(name)s（%(code)s）：%(n)d份问卷") % {
                "district": line.district,
                "name": line.name,
                "code": line.code,
                "n": line.imported,
            }
            if line.too_fast:
                text += _("，答题过快%(n)d份") % {"n": line.too_fast}
            if line.in_cluster:
                text += _("，相同答案聚集%(n)d份") % {"n": line.in_cluster}
            if line.earlier_in_cluster:
                text += _("，此前导入的问卷中另有%(n)d份因此标记为相同答案聚集") % {
                    "n": line.earlier_in_cluster
                }
            self.stdout.write(text)
        if report.ignored_columns:
            self.stdout.write(
                _("已忽略以下列：%(columns)s") % {"columns": "、".join(report.ignored_columns)}
            )
        summary = _(
            "共%(communities)d个社区、%(n)d份问卷，其中%(flagged)d份被标记，待领导小组办公室核定。"
        ) % {
            "communities": len(report.communities),
            "n": report.imported,
            "flagged": report.flagged,
        }
        if report.dry_run:
            self.stdout.write(
                _("检查通过（试运行）：以上为导入后的结果，没有保存任何数据。") + summary
            )
        else:
            self.stdout.write(_("导入完成。") + summary)
