"""Work-order pages: lists (all, overdue, mine), a new order, the order's page, assigning, closing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, history_entries
from gridcheck.core.periods import date_parse
from gridcheck.core.rules import rule_int
from gridcheck.inspections import selectors, services
from gridcheck.inspections.choices import TRANSITIONS, WorkOrderStatus
from gridcheck.inspections.filtersets import WorkOrderFilterSet
from gridcheck.inspections.forms import AssignForm, WorkOrderForm
from gridcheck.inspections.models import WorkOrder
from gridcheck.inspections.tables import WorkOrderTable
from gridcheck.inspections.views.common import (
    DispatchRequiredMixin,
    FieldWorkRequiredMixin,
    scoped,
    show_errors,
    station_staff,
)
from gridcheck.users.models import User


class WorkOrderListView(ScopedListView):
    model = WorkOrder
    filterset_class = WorkOrderFilterSet
    table_class = WorkOrderTable
    title = gettext_lazy("Work orders")
    search_placeholder = gettext_lazy("Work order number, account number or customer name")
    template_name = "inspections/workorder_list.html"

    def get_base_queryset(self):
        return WorkOrder.objects.select_related("customer", "station").prefetch_related("assignees")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = selectors.can_do_field_work(self.request.user)
        return ctx


class OverdueListView(WorkOrderListView):
    """The overdue list: open work orders past their due date."""

    title = gettext_lazy("Overdue work orders")

    def get_base_queryset(self):
        return selectors.work_orders_overdue(self.request.user)


class MyWorkView(CapabilityRequiredMixin, TemplateView):
    """The inspector's phone list: work orders assigned to them and still to be visited."""

    template_name = "inspections/my_work.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["orders"] = selectors.my_work_orders(self.request.user)
        return ctx


class WorkOrderCreateView(FieldWorkRequiredMixin, TemplateView):
    template_name = "inspections/form.html"

    def form(self):
        customers = scoped(Customer, self.request.user)
        initial = {}
        if self.request.GET.get("customer"):
            initial["customer"] = self.request.GET["customer"]
        return WorkOrderForm(self.request.POST or None, customers=customers, initial=initial)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(form=kwargs.get("form") or self.form(), title=_("New work order"))
        return ctx

    def post(self, request):
        form = self.form()
        if form.is_valid():
            try:
                order = services.work_order_create(
                    source=form.cleaned_data["source"],
                    customer=form.cleaned_data["customer"],
                    reason=form.cleaned_data["reason"],
                    due_on=form.cleaned_data["due_on"],
                    created_by=request.user,
                )
                messages.success(request, _("Work order %(n)s opened.") % {"n": order.number})
                return redirect(order)
            except ValidationError as error:
                show_errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


#: What each service's field is called on the page, so that a refusal names the field.
FIELD_LABELS = {
    "due_on": gettext_lazy("due on"),
    "reason": gettext_lazy("reason"),
    "visit_date": gettext_lazy("visit date"),
}


def _field_errors(request, error: ValidationError) -> None:
    """Show a refusal as messages, each field's message led by the field's name."""
    if not hasattr(error, "error_dict"):
        show_errors(request, error)
        return
    for name, errors in error.message_dict.items():
        label = FIELD_LABELS.get(name, "")
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


class WorkOrderDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/workorder_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        order = get_object_or_404(selectors.work_orders_for(user), pk=kwargs["pk"])
        visit_date = order.visit_date or timezone.localdate()
        can_dispatch = selectors.can_dispatch(user)
        assigned_ids = set(order.assignments.values_list("inspector_id", flat=True))
        ctx.update(
            object=order,
            assignments=order.assignments.select_related("inspector", "qualification", "assigned_by"),
            visits=order.visits.all(),
            events=order.events.select_related("actor"),
            history=history_entries(order),
            can_dispatch=can_dispatch,
            can_visit=order.status in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS)
            and (user.pk in assigned_ids or user.is_superuser),
            assign_form=AssignForm(
                initial={"visit_date": visit_date, "inspectors": list(assigned_ids)},
                staff=station_staff(order.station_id).filter(qualifications__isnull=False).distinct(),
            )
            if can_dispatch and WorkOrderStatus.ASSIGNED in TRANSITIONS.get(order.status, ())
            else None,
            eligible=selectors.eligible_inspectors(order, visit_date) if can_dispatch else [],
            min_inspectors=rule_int("inspections.visit.min_inspectors", on=visit_date),
            can_close=can_dispatch and order.status == WorkOrderStatus.VISITED,
            can_cancel=can_dispatch and WorkOrderStatus.CANCELLED in TRANSITIONS.get(order.status, ()),
            can_correct=can_dispatch
            and order.status in (WorkOrderStatus.CREATED, WorkOrderStatus.ASSIGNED)
            and not order.visits.exists(),
        )
        return ctx


class WorkOrderAssignView(DispatchRequiredMixin, View):
    def post(self, request, pk):
        order = get_object_or_404(selectors.work_orders_for(request.user), pk=pk)
        form = AssignForm(request.POST, staff=User.objects.filter(is_active=True))
        if not form.is_valid():
            for name, errors in form.errors.items():
                for message in errors:
                    label = form.fields[name].label if name in form.fields else ""
                    messages.error(request, f"{label}：{message}" if label else message)
            return redirect(order)
        try:
            services.work_order_assign(
                work_order=order,
                inspectors=list(form.cleaned_data["inspectors"]),
                visit_date=form.cleaned_data["visit_date"],
                assigned_by=request.user,
            )
            messages.success(request, _("Work order assigned."))
        except ValidationError as error:
            _field_errors(request, error)
        return redirect(order)


class WorkOrderActionView(DispatchRequiredMixin, View):
    """Close or cancel a work order."""

    def post(self, request, pk, action):
        order = get_object_or_404(selectors.work_orders_for(request.user), pk=pk)
        try:
            if action == "close":
                services.work_order_close(
                    work_order=order, user=request.user, outcome=request.POST.get("outcome", "")
                )
                messages.success(request, _("Work order closed."))
            elif action == "correct":
                try:
                    due_on = date_parse(request.POST.get("due_on", ""))
                except (ValidationError, ValueError) as error:
                    raise ValidationError(
                        {"due_on": " ".join(getattr(error, "messages", [str(error)]))}
                    ) from None
                services.work_order_correct(
                    work_order=order, user=request.user, due_on=due_on, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Work order corrected."))
            elif action == "cancel":
                services.work_order_cancel(
                    work_order=order, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Work order cancelled."))
            else:
                raise Http404
        except ValidationError as error:
            _field_errors(request, error)
        return redirect(order)
