"""Campaigns (专项行动): the list, a new campaign (prefilled from the worst-loss areas), its page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer, Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, history_entries
from gridcheck.core.periods import month_parse
from gridcheck.inspections import selectors, services
from gridcheck.inspections.filtersets import CampaignFilterSet
from gridcheck.inspections.forms import CampaignForm
from gridcheck.inspections.models import Campaign
from gridcheck.inspections.tables import CampaignTable
from gridcheck.inspections.views.common import DispatchRequiredMixin, scoped, show_errors


class CampaignListView(ScopedListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    table_class = CampaignTable
    title = gettext_lazy("Campaigns")
    template_name = "inspections/campaign_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_dispatch"] = selectors.can_dispatch(self.request.user)
        return ctx


class CampaignCreateView(DispatchRequiredMixin, TemplateView):
    template_name = "inspections/form.html"

    def form(self):
        stations = scoped(Station, self.request.user)
        initial = {}
        station = stations.filter(pk=self.request.GET.get("station") or 0).first()
        if station is not None and self.request.GET.get("worst_loss"):
            # Prefill an anti-theft sweep: the customers of the worst-loss areas of that month.
            try:
                month = month_parse(self.request.GET["worst_loss"])
            except ValidationError:
                month = None
            if month is not None:
                customers = selectors.worst_loss_customers(station=station, month=month)
                initial = {
                    "station": station,
                    "name": _("Anti-theft sweep of the worst-loss areas, %(m)s") % {"m": f"{month:%Y-%m}"},
                    "targets": "\n".join(c.account_number for c in customers),
                }
        return CampaignForm(self.request.POST or None, stations=stations, initial=initial)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(form=kwargs.get("form") or self.form(), title=_("New campaign"))
        return ctx

    def post(self, request):
        form = self.form()
        if form.is_valid():
            station = form.cleaned_data["station"]
            numbers = form.cleaned_data["targets"]
            targets = list(scoped(Customer, request.user).filter(station=station, account_number__in=numbers))
            missing = sorted(set(numbers) - {c.account_number for c in targets})
            if missing:
                messages.error(request, _("Unknown account numbers: %(n)s") % {"n": "、".join(missing)})
            else:
                try:
                    campaign = services.campaign_create(
                        station=station,
                        name=form.cleaned_data["name"],
                        purpose=form.cleaned_data["purpose"],
                        starts_on=form.cleaned_data["starts_on"],
                        ends_on=form.cleaned_data["ends_on"],
                        targets=targets,
                        created_by=request.user,
                    )
                    return redirect(campaign)
                except ValidationError as error:
                    show_errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


class CampaignDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(scoped(Campaign, self.request.user), pk=kwargs["pk"])
        ctx.update(
            object=campaign,
            orders=campaign.work_orders.select_related("customer").order_by("customer__account_number"),
            history=history_entries(campaign),
        )
        return ctx
