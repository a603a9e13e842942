"""Census pages: campaigns (planned with teams and areas, their coverage and discrepancies by kind and
area), the phone page of a census visit (a draft kept in the browser), records, and the discrepancies
with their proposal and approval.

Reading needs ``view_census``; planning, starting and closing ``dispatch``; visiting ``field_work`` and a
place in a team; approving ``approve_station``. Every object is looked up within the user's scope (404
outside it); every change goes through ``services``, whose refusals show as messages.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from gridcheck.archive.choices import CustomerCategory
from gridcheck.archive.models import Customer
from gridcheck.census import selectors, services
from gridcheck.census.choices import (
    PROPOSABLE,
    CampaignStatus,
    DiscrepancyStatus,
    FavourSupply,
    IrregularCharge,
    RecordStatus,
)
from gridcheck.census.filtersets import CampaignFilterSet, DiscrepancyFilterSet
from gridcheck.census.forms import TEAM_ROWS, CampaignForm, DecideForm, ProposeForm, TeamForm
from gridcheck.census.models import CensusCampaign, CensusEvent, CensusPhoto, CensusRecord, Discrepancy
from gridcheck.census.tables import CampaignTable, DiscrepancyTable, status_badge
from gridcheck.core.generic import ScopedListView, ScopedPage, StepView
from gridcheck.core.roles import APPROVE_STATION, DISPATCH, FIELD_WORK, VIEW_CENSUS, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import upload_response


class CensusPage(ScopedPage):
    required_capability = VIEW_CENSUS


#: Every status of the census by its code (the codes of campaigns, records and discrepancies differ).
STATUS_LABELS = {
    **dict(CampaignStatus.choices),
    **dict(RecordStatus.choices),
    **dict(DiscrepancyStatus.choices),
}


def _events(obj) -> list[CensusEvent]:
    events = list(
        CensusEvent.objects.filter(subject_type=type(obj).__name__, subject_id=obj.pk).select_related("actor")
    )
    for event in events:
        event.from_label = STATUS_LABELS.get(event.from_status, event.from_status)
        event.to_label = STATUS_LABELS.get(event.to_status, event.to_status)
    return events


# -------------------------------------------------------------------------------------------- campaigns
class CampaignListView(ScopedListView):
    required_capability = VIEW_CENSUS
    model = CensusCampaign
    filterset_class = CampaignFilterSet
    table_class = CampaignTable
    template_name = "census/campaign_list.html"
    title = gettext_lazy("Census campaigns")

    def get_base_queryset(self):
        return CensusCampaign.objects.select_related("station")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_plan"] = has_capability(self.request.user, DISPATCH)
        return ctx


class CampaignCreateView(CensusPage, TemplateView):
    """Plan a census: station, quarter, dates, areas and up to ``TEAM_ROWS`` teams."""

    action_capability = DISPATCH
    template_name = "census/campaign_form.html"

    def forms(self, data=None):
        user = self.request.user
        form = CampaignForm(data, user=user)
        teams = [TeamForm(data, user=user, prefix=f"team{n}") for n in range(1, TEAM_ROWS + 1)]
        return form, teams

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if "form" not in ctx:
            ctx["form"], ctx["teams"] = self.forms()
        return ctx

    def post(self, request):
        form, teams = self.forms(request.POST)
        if form.is_valid() and all(t.is_valid() for t in teams):
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    user=request.user,
                    station=data["station"],
                    quarter=data["quarter"],
                    areas=list(data["areas"]),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    teams=[
                        {
                            "name": t.cleaned_data["name"] or _("Team %(n)s") % {"n": n},
                            "members": list(t.cleaned_data["members"]),
                            "areas": list(t.cleaned_data["areas"]),
                        }
                        for n, t in enumerate(teams, start=1)
                        if t.filled
                    ],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Census campaign planned."))
                return redirect(campaign)
        return self.render_to_response(self.get_context_data(form=form, teams=teams))


class CampaignDetailView(CensusPage, TemplateView):
    """A campaign: coverage per area and per area owner, discrepancies by kind and area (a chart), teams."""

    template_name = "census/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = self.scoped_object(CensusCampaign)
        discrepancies = Discrepancy.objects.filter(campaign=campaign)
        user = self.request.user
        ctx.update(
            campaign=campaign,
            status_badge=status_badge(campaign.status, campaign.get_status_display()),
            coverage=selectors.coverage(campaign),
            teams=campaign.teams.prefetch_related("members", "areas"),
            total_discrepancies=discrepancies.count(),
            chart_data={
                **selectors.discrepancy_chart(discrepancies),
                "labels": {
                    "count": _("Number of discrepancies"),
                    "empty": _("No discrepancies."),
                },
            },
            can_start=has_capability(user, DISPATCH) and campaign.status == CampaignStatus.PLANNED,
            can_close=has_capability(user, DISPATCH) and campaign.status == CampaignStatus.RUNNING,
            events=_events(campaign),
        )
        return ctx


class CampaignMoveView(StepView):
    required_capability = VIEW_CENSUS
    action_capability = DISPATCH
    model = CensusCampaign
    to = ""

    def run(self, request, obj):
        services.campaign_move(user=request.user, campaign=obj, to=self.to)


# ------------------------------------------------------------------------------------------ field work
class MyCensusView(CensusPage, TemplateView):
    """The census work of a member of staff: their teams and the customers of their areas to visit."""

    action_capability = FIELD_WORK
    template_name = "census/my_census.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:40]
        teams = list(selectors.teams_of(self.request.user))
        ctx.update(
            q=query,
            teams=[(team, selectors.customers_to_visit(team, query=query)) for team in teams],
        )
        return ctx


class VisitView(CensusPage, TemplateView):
    """The phone page of a census visit at one customer; POST takes the draft as JSON
    (``services.record_save``) and answers ``{"ok": true, "url"}`` or ``{"ok": false, "errors"}``."""

    action_capability = FIELD_WORK
    template_name = "census/visit.html"

    def objects(self):
        customer = get_object_or_404(
            scope_queryset(Customer.objects.select_related("area", "station"), self.request.user),
            pk=self.kwargs["pk"],
        )
        return selectors.campaign_for_visit(self.request.user, customer), customer

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign, customer = self.objects()
        record = team = None
        refusal = _("No census of %(station)s that is not closed has you in a team.") % {
            "station": customer.station
        }
        if campaign is not None:
            record = CensusRecord.objects.filter(campaign=campaign, customer=customer).first()
            try:
                team = services.team_for(user=self.request.user, campaign=campaign, customer=customer)
                refusal = ""
            except (ValidationError, PermissionDenied) as error:
                refusal = " ".join(getattr(error, "messages", [str(error)]))
        ctx.update(
            campaign=campaign,
            customer=customer,
            team=team,
            refusal=refusal,
            record=record,
            open_for_visit=team is not None
            and campaign.status != CampaignStatus.CLOSED
            and not (record and record.status == RecordStatus.SUBMITTED),
            meters=[m for p in customer.metering_points.all() for m in p.meters.all()],
            categories=CustomerCategory.choices,
            favours=FavourSupply.choices,
            charges=IrregularCharge.choices,
            photo_max_bytes=settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES,
            photo_max_mb=round(settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES / 1024 / 1024, 1),
        )
        return ctx

    def post(self, request, pk):
        campaign, customer = self.objects()
        if campaign is None:
            return JsonResponse(
                {"ok": False, "errors": [_("No census that is not closed has you in a team.")]}, status=400
            )
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            return JsonResponse({"ok": False, "errors": [_("The draft could not be read.")]}, status=400)
        try:
            record = services.record_save(user=request.user, campaign=campaign, customer=customer, data=data)
        except (ValidationError, PermissionDenied) as error:
            errors = getattr(error, "messages", None) or [str(error) or _("You may not do this.")]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        messages.success(request, _("Census visit submitted."))
        return JsonResponse({"ok": True, "url": reverse("census:record_detail", args=[record.pk])})


class RecordDetailView(CensusPage, TemplateView):
    template_name = "census/record_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        record = self.scoped_object(
            CensusRecord,
            queryset=CensusRecord.objects.select_related(
                "campaign", "customer", "team", "recorded_by", "area"
            ),
        )
        ctx.update(
            record=record,
            photos=record.photos.all(),
            discrepancies=record.discrepancies.all(),
            members=record.team.members.order_by("username"),
            events=_events(record),
        )
        return ctx


class PhotoView(CensusPage, View):
    """A census photo, only to those who may see its record; evidence is served as an attachment."""

    def get(self, request, pk):
        photo = self.scoped_object(CensusPhoto)
        return upload_response(
            photo.image, content_type=photo.content_type, download_name=photo.original_name or "photo"
        )


class SignatureView(CensusPage, View):
    def get(self, request, pk):
        record = self.scoped_object(CensusRecord)
        if not record.customer_signature:
            raise Http404
        return upload_response(
            record.customer_signature,
            content_type="image/png",
            download_name="signature.png",
            inline_image=True,
        )


# ---------------------------------------------------------------------------------------- discrepancies
class DiscrepancyListView(ScopedListView):
    required_capability = VIEW_CENSUS
    model = Discrepancy
    filterset_class = DiscrepancyFilterSet
    table_class = DiscrepancyTable
    export_entity = "census_discrepancies"
    title = gettext_lazy("Census discrepancies")
    search_placeholder = gettext_lazy("Search by account number, name or summary")

    def get_base_queryset(self):
        return Discrepancy.objects.select_related(
            "campaign", "customer", "area", "station", "record"
        ).order_by("-created_at", "-pk")


class DiscrepancyDetailView(CensusPage, TemplateView):
    template_name = "census/discrepancy_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        d = self.scoped_object(
            Discrepancy,
            queryset=Discrepancy.objects.select_related(
                "record__team",
                "campaign",
                "customer",
                "area",
                "proposed_by",
                "decided_by",
                "category_change",
                "finding",
                "case",
            ),
        )
        user = self.request.user
        can_propose = d.status in PROPOSABLE and (
            has_capability(user, FIELD_WORK) or has_capability(user, DISPATCH)
        )
        ctx.update(
            d=d,
            status_badge=status_badge(d.status, d.get_status_display()),
            can_propose=can_propose,
            propose_form=ProposeForm() if can_propose else None,
            tariffs=services.tariffs_in_force() if can_propose else [],
            can_decide=d.status == DiscrepancyStatus.PROPOSED
            and has_capability(user, APPROVE_STATION)
            and user.pk != d.proposed_by_id,
            decide_waiting=d.status == DiscrepancyStatus.PROPOSED,
            proposal=_proposal_lines(d),
            events=_events(d),
            photos=d.record.photos.all(),
        )
        return ctx


def _proposal_lines(d: Discrepancy) -> list[tuple[str, str]]:
    p = d.proposal or {}
    lines = []
    if p.get("new_tariff_code"):
        lines.append((_("new tariff code"), p["new_tariff_code"]))
    if p.get("field"):
        lines.append((_("archive field"), str(Customer._meta.get_field(p["field"]).verbose_name)))
        lines.append((_("new value"), p.get("value", "")))
    if p.get("case_kind"):
        lines.append((_("case kind"), p["case_kind"]))
        lines.append((_("type"), p.get("case_type", "")))
    return lines


class DiscrepancyProposeView(StepView):
    required_capability = VIEW_CENSUS
    action_capabilities = (FIELD_WORK, DISPATCH)
    model = Discrepancy

    def run(self, request, obj):
        data = self.form(ProposeForm)
        services.discrepancy_propose(
            user=request.user,
            discrepancy=obj,
            resolution=data["resolution"],
            note=data["note"],
            new_tariff_code=data.get("new_tariff_code", ""),
            case_kind=data.get("case_kind", ""),
        )
        messages.success(request, _("Proposal recorded: it waits for the station head's approval."))


class DiscrepancyDecideView(StepView):
    required_capability = VIEW_CENSUS
    action_capability = APPROVE_STATION
    model = Discrepancy

    def run(self, request, obj):
        data = self.form(DecideForm)
        done = services.discrepancy_decide(
            user=request.user, discrepancy=obj, approve=data["decision"] == "approve", note=data["note"]
        )
        if done.status == DiscrepancyStatus.DONE:
            messages.success(request, done.result_note)
        else:
            messages.info(request, _("Proposal rejected."))
