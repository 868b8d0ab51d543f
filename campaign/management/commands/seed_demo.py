from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campaign.demo import seed
from communities.models import District
from standards.models import MemberUnit


class Command(BaseCommand):
    help = _(
        "载入演示数据：威海325个城市社区、2020年创建活动、每个角色一个演示账号（可重复运行）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help=_("把演示社区和演示账号恢复为初始值")
        )
        parser.add_argument(
            "--force", action="store_true", help=_("在生产配置（DEBUG 关闭）下也执行")
        )

    def handle(self, *args: Any, reset: bool, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _("演示账号使用公开的密码，生产环境不应载入。确需载入请加 --force。")
            )
        call_command("load_reference_data", stdout=self.stdout)
        created = seed.seed_communities(reset=reset)
        users = seed.seed_users(reset=reset)
        campaign = seed.seed_campaign()
        self.stdout.write(
            _("新增演示社区 %(count)d 个；当前活动：%(campaign)s。")
            % {"count": created, "campaign": campaign.name}
        )
        places = {d.code: d.short_name for d in District.objects.all()}
        places.update({u.code: u.name for u in MemberUnit.objects.all()})
        self.stdout.write("")
        self.stdout.write(
            _("演示账号（密码均为 %(password)s）：") % {"password": seed.DEMO_PASSWORD}
        )
        for user in users:
            place = places.get(user.district_code or user.unit_code or "", "")
            self.stdout.write(
                f"  {user.username:<16} {user.role.label:<10} {user.full_name} {place}"
            )
