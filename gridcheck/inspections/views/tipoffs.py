"""The tip-off register: list, registering, a tip-off's page (reporter shown only to those who may see them), conclusion and reward."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, history_entries
from gridcheck.inspections import selectors, services
from gridcheck.inspections.filtersets import TipOffFilterSet
from gridcheck.inspections.forms import RewardForm, TipOffConcludeForm, TipOffForm
from gridcheck.inspections.models import TipOff
from gridcheck.inspections.tables import TipOffTable
from gridcheck.inspections.views.common import DispatchRequiredMixin, scoped, show_errors


class TipOffListView(ScopedListView):
    model = TipOff
    filterset_class = TipOffFilterSet
    table_class = TipOffTable
    title = gettext_lazy("Tip-offs")
    search_placeholder = gettext_lazy("Tip-off number, address or description")
    template_name = "inspections/tipoff_list.html"

    def get_base_queryset(self):
        return TipOff.objects.select_related("station", "customer")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_dispatch"] = selectors.can_dispatch(self.request.user)
        return ctx


class TipOffCreateView(DispatchRequiredMixin, TemplateView):
    template_name = "inspections/form.html"

    def form(self):
        return TipOffForm(self.request.POST or None, customers=scoped(Customer, self.request.user))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(form=kwargs.get("form") or self.form(), title=_("Register a tip-off"))
        return ctx

    def post(self, request):
        form = self.form()
        if form.is_valid():
            data = form.cleaned_data
            customer = data["customer"]
            station = customer.station if customer else request.user.station
            if station is None:
                messages.error(
                    request, _("Give the customer's account number: a county user has no station.")
                )
                return self.render_to_response(self.get_context_data(form=form))
            try:
                tipoff = services.tipoff_create(
                    station=station,
                    channel=data["channel"],
                    description=data["description"],
                    received_by=request.user,
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    customer=customer,
                    address=data["address"],
                    received_at=data["received_at"],
                )
                return redirect(tipoff)
            except ValidationError as error:
                show_errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


class TipOffDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/tipoff_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tipoff = get_object_or_404(
            scoped(TipOff, user).select_related("customer", "work_order"), pk=kwargs["pk"]
        )
        can_dispatch = selectors.can_dispatch(user)
        ctx.update(
            object=tipoff,
            reporter=selectors.reporter_display(tipoff, user),
            history=history_entries(tipoff),
            can_dispatch=can_dispatch,
            conclude_form=TipOffConcludeForm() if can_dispatch else None,
            reward_form=RewardForm(
                initial={"amount_yuan": tipoff.reward_amount_yuan, "paid_on": tipoff.reward_paid_on}
            )
            if can_dispatch
            else None,
        )
        return ctx


class TipOffActionView(DispatchRequiredMixin, View):
    def post(self, request, pk, action):
        tipoff = get_object_or_404(scoped(TipOff, request.user), pk=pk)
        try:
            if action == "conclude":
                form = TipOffConcludeForm(request.POST)
                if form.is_valid():
                    services.tipoff_conclude(
                        tipoff=tipoff,
                        status=form.cleaned_data["status"],
                        outcome=form.cleaned_data["outcome"],
                        user=request.user,
                    )
            elif action == "reward":
                form = RewardForm(request.POST)
                if form.is_valid():
                    services.tipoff_reward_record(
                        tipoff=tipoff,
                        amount_yuan=form.cleaned_data["amount_yuan"],
                        paid_on=form.cleaned_data["paid_on"],
                        user=request.user,
                    )
            else:
                raise Http404
            if not form.is_valid():
                messages.error(request, _("Some fields are not valid."))
        except ValidationError as error:
            show_errors(request, error)
        return redirect(tipoff)
