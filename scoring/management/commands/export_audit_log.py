from django.utils.translation import gettext as _

from scoring.exports.command import ExportCommand
from scoring.exports.models import ExportKind


class Command(ExportCommand):
    help = _(
        "导出操作日志工作簿：python manage.py export_audit_log --campaign YEAR --out FILE.xlsx"
    )
    kind = ExportKind.AUDIT_LOG
