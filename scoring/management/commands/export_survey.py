from django.utils.translation import gettext as _

from scoring.exports.command import ExportCommand
from scoring.exports.models import ExportKind


class Command(ExportCommand):
    help = _(
        "导出满意度调查统计工作簿：python manage.py export_survey --campaign YEAR --out FILE.xlsx"
    )
    kind = ExportKind.SURVEY
