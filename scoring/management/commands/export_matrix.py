from django.utils.translation import gettext as _

from scoring.exports.command import ExportCommand
from scoring.exports.models import ExportKind


class Command(ExportCommand):
    help = _("导出得分明细工作簿：python manage.py export_matrix --campaign YEAR --out FILE.xlsx")
    kind = ExportKind.MATRIX
