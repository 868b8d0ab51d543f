import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.pipeline.models import Campaign
from scoring.engine.recompute import recompute_campaign

ATTEMPTS = 3


class Command(BaseCommand):
    help = _(
        "重新计算创建活动全部社区各阶段的得分、排名和入围结果。可重复执行，数据不变时结果不变；"
        "失败时整批回滚并重试，不会留下只算了一半的得分。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--campaign", type=int, metavar="YEAR", help=_("活动年度（默认为全部活动）")
        )

    def handle(self, *args: Any, campaign: int | None, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("year")
        if campaign is not None:
            campaigns = campaigns.filter(year=campaign)
            if not campaigns.exists():
                raise CommandError(_("没有%(year)d年度的创建活动。") % {"year": campaign})
        for chosen in campaigns:
            started = time.perf_counter()
            written = self._recompute(chosen)
            seconds = time.perf_counter() - started
            self.stdout.write(
                _("%(campaign)s：%(n)d条得分快照，用时%(s).2f秒。")
                % {"campaign": chosen.name, "n": written, "s": seconds}
            )

    def _recompute(self, campaign: Campaign) -> int:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    written = recompute_campaign(campaign.pk)
                    audit_log.record(
                        "scoring.recompute",
                        target=campaign,
                        details={"snapshots": written},
                    )
                return written
            except DatabaseError as exc:
                if attempt == ATTEMPTS:
                    raise CommandError(
                        _("重新计算失败（已重试%(n)d次），原有得分未改动：%(error)s")
                        % {"n": ATTEMPTS, "error": exc}
                    ) from exc
                self.stderr.write(
                    _("第%(n)d次计算失败，稍后重试：%(error)s") % {"n": attempt, "error": exc}
                )
                time.sleep(attempt)
        raise AssertionError("unreachable")
