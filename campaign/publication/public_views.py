"""Pages for the public, without login: the notice, the objection form and the named list.
They show community and district names, dates and how to object, never anyone's personal
data."""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from campaign.kernel.audit_log import client_ip
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.files import ACCEPT_ATTRIBUTE, accepted_types_text
from campaign.pipeline.models import NAMED_STATES, Campaign, Status, Submission
from campaign.pipeline.workflow import ActionRefused, today
from campaign.publication.actions import (
    MAX_OBJECTOR,
    MAX_OBJECTOR_CONTACT,
    MAX_TEXT,
    admit_objection_attempt,
    do_lodge_objection,
)
from campaign.publication.models import Objection, PublicNotice

PAGE_SIZE = 50
# A notice's outcome is public; a community removed on an objection is shown as not named.
NOTICED_STATES = (Status.IN_NOTICE, Status.REMOVED, *NAMED_STATES)


def _noticed(campaign: Campaign) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(
            campaign=campaign, notice__isnull=False, status__in=NOTICED_STATES
        )
        .select_related("community", "district", "notice")
        .only(
            "status",
            "named_on",
            "upward_level",
            "community__name",
            "community__code",
            "district__name",
            "notice__starts_on",
            "notice__ends_on",
            "notice__contact",
        )
    )


def public_notice(request: HttpRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    rows = _noticed(campaign).order_by(
        "-notice__starts_on", "notice_id", "district__display_order", "community__code"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    day = today()
    open_now = any(
        row.status == Status.IN_NOTICE
        and row.notice is not None
        and row.notice.starts_on <= day <= row.notice.ends_on
        for row in page
    )
    return render(
        request,
        "campaign/publication/public/notice.html",
        {"campaign": campaign, "year": year, "page": page, "today": day, "open_now": open_now},
    )


class ObjectionForm(forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("被异议社区"))
    objector = forms.CharField(label=gettext_lazy("异议人姓名或单位"), max_length=MAX_OBJECTOR)
    contact = forms.CharField(label=gettext_lazy("联系电话或地址"), max_length=MAX_OBJECTOR_CONTACT)
    content = forms.CharField(
        label=gettext_lazy("异议内容及理由"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = forms.FileField(
        label=gettext_lazy("证据材料（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "---------"), *choices]


def _open_for_objection(campaign: Campaign) -> dict[str, Submission]:
    """The communities one may object to today, by code."""
    day = today()
    candidates = _noticed(campaign).filter(
        status=Status.IN_NOTICE, notice__starts_on__lte=day, notice__ends_on__gte=day
    )
    return {
        s.community.code: s
        for s in candidates.order_by("district__display_order", "community__code")
    }


@csrf_protect
def public_objection(request: HttpRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    candidates = _open_for_objection(campaign)
    choices = [(code, f"{s.community.name}（{s.district.name}）") for code, s in candidates.items()]
    error = ""
    if request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES, choices=choices)
        if form.is_valid():
            chosen = candidates[form.cleaned_data["community"]]
            upload = form.cleaned_data["evidence"]
            ip = client_ip(request)
            try:
                admit_objection_attempt(ip)
                objection = do_lodge_objection(
                    chosen.notice_id or 0,
                    chosen.community.code,
                    form.cleaned_data["objector"],
                    form.cleaned_data["contact"],
                    form.cleaned_data["content"],
                    [upload] if upload else [],
                    ip=ip,
                )
            except ActionRefused as exc:
                error = exc.message
            else:
                return redirect("public_objection_done", year=year, reference=objection.reference)
    else:
        form = ObjectionForm(choices=choices)
    notice = next(iter(candidates.values())).notice if candidates else None
    return render(
        request,
        "campaign/publication/public/objection.html",
        {
            "campaign": campaign,
            "year": year,
            "form": form,
            "error": error,
            "notice": notice,
            "accepted_types": accepted_types_text(),
        },
        status=400 if error or form.errors else 200,
    )


def public_objection_done(request: HttpRequest, year: int, reference: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    objection = get_object_or_404(
        Objection.objects.only("reference", "notice__contact").select_related("notice"),
        notice__campaign=campaign,
        reference=reference,
    )
    return render(
        request,
        "campaign/publication/public/objection_done.html",
        {
            "campaign": campaign,
            "year": year,
            "reference": objection.reference,
            "contact": objection.notice.contact,
        },
    )


def public_named(request: HttpRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    rows = _noticed(campaign).filter(status__in=NAMED_STATES)
    rows = rows.order_by("district__display_order", "community__code")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    notices = PublicNotice.objects.filter(campaign=campaign).exists()
    return render(
        request,
        "campaign/publication/public/named.html",
        {"campaign": campaign, "year": year, "page": page, "published": notices},
    )
