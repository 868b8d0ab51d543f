"""The shortlist: the office's rules and, for each community after the joint review, whether it
is on the list or the first rule that kept it off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.workflow import ActionRefused
from scoring.engine.models import Outcome, ScoreSnapshot, Stage
from scoring.engine.rules import current_rules
from scoring.rules.actions import do_set_shortlist_rules
from scoring.rules.forms import ShortlistRulesForm

PAGE_SIZE = 50


@login_required
def shortlist(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    scope.require(Capability.VIEW_SCORES)
    joint = ScoreSnapshot.objects.filter(campaign=campaign, stage=Stage.JOINT)
    counts = dict(joint.order_by().values_list("outcome").annotate(n=Count("pk")))
    chosen = request.GET.get("outcome", "")
    listed = joint.filter(outcome=chosen) if chosen and chosen in Outcome.values else joint
    page = Paginator(
        listed.select_related("submission__community", "district", "rules").order_by("city_rank"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rules = current_rules(campaign)
    computed = joint.order_by("-computed_at").values_list("computed_at", "rules_id").first()
    return render(
        request,
        "scoring/shortlist.html",
        {
            "campaign": campaign,
            "year": year,
            "rules": rules,
            # The rule in the words a community kept off by it reads beside its name.
            "short_sample_reason": Outcome.SHORT_SAMPLE.label,
            "page": page,
            "outcomes": [(o, o.label, counts.get(o.value, 0)) for o in Outcome if o.value],
            "chosen": chosen,
            "total": sum(counts.values()),
            "computed_at": computed[0] if computed else None,
            "stale": computed is not None and computed[1] != rules.pk,
            "can_set_rules": scope.can(Capability.SET_SHORTLIST_RULES),
            "form": ShortlistRulesForm(total_points=campaign.standard.total_points, current=rules),
        },
    )


@login_required
@require_POST
def shortlist_rules(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Save valid rules as a new version; otherwise show the form again with every problem
    beside its field (on a page of its own, so the list's relative links stay on the list)."""
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.SET_SHORTLIST_RULES)
    form = ShortlistRulesForm(request.POST, total_points=campaign.standard.total_points)
    if form.is_valid():
        try:
            rules = do_set_shortlist_rules(
                campaign.pk, form.rules(), actor=request.user, ip=client_ip(request)
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("入围规则已保存为第%(v)d版，得分和入围结果正在按新规则重新计算。")
                % {"v": rules.version},
            )
            return redirect("shortlist", year)
    return render(
        request,
        "scoring/shortlist_rules.html",
        {"campaign": campaign, "year": year, "rules": current_rules(campaign), "form": form},
    )
