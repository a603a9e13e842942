"""Pages of the inspections app: work orders, the phone visit page, plans, campaigns, tip-offs.

Every page is scoped (``gridcheck.core.scoping``): an object outside the user's scope is a 404. Reading
needs ``view``; dispatching (assign, plans, tip-off register) needs ``selectors.can_dispatch``;
field work (visits) ``selectors.can_do_field_work``. Every change goes through
``gridcheck.inspections.services``.
"""

import datetime
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer, Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, history_entries
from gridcheck.core.periods import month_parse
from gridcheck.core.scoping import scope_queryset
from gridcheck.inspections import selectors, services
from gridcheck.inspections.checklists import checklist_for
from gridcheck.inspections.choices import (
    TRANSITIONS,
    ChecklistResult,
    FindingKind,
    WorkOrderStatus,
)
from gridcheck.inspections.filtersets import (
    CampaignFilterSet,
    PlanFilterSet,
    TipOffFilterSet,
    WorkOrderFilterSet,
)
from gridcheck.inspections.forms import (
    AssignForm,
    CampaignForm,
    PlanGenerateForm,
    RewardForm,
    TipOffConcludeForm,
    TipOffForm,
    WorkOrderForm,
)
from gridcheck.inspections.models import (
    Campaign,
    InspectionPlan,
    TipOff,
    Visit,
    VisitPhoto,
    WorkOrder,
)
from gridcheck.inspections.tables import (
    CampaignTable,
    PlanTable,
    TipOffTable,
    WorkOrderTable,
)
from gridcheck.users.models import User


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _scoped(model, user):
    return scope_queryset(model._default_manager.all(), user)


def _station_staff(station_id):
    return User.objects.filter(station_id=station_id, is_active=True).order_by("username")


class DispatchRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_dispatch(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FieldWorkRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_do_field_work(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- work orders ---------------------------------------------------------------------------------


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
        customers = _scoped(Customer, self.request.user)
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
                _errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


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
            history=history_entries(order),
            can_dispatch=can_dispatch,
            can_visit=order.status in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS)
            and (user.pk in assigned_ids or user.is_superuser),
            assign_form=AssignForm(
                initial={"visit_date": visit_date, "inspectors": list(assigned_ids)},
                staff=_station_staff(order.station_id).filter(qualifications__isnull=False).distinct(),
            )
            if can_dispatch and WorkOrderStatus.ASSIGNED in TRANSITIONS.get(order.status, ())
            else None,
            eligible=selectors.eligible_inspectors(order, visit_date) if can_dispatch else [],
            can_close=can_dispatch and order.status == WorkOrderStatus.VISITED,
            can_cancel=can_dispatch and WorkOrderStatus.CANCELLED in TRANSITIONS.get(order.status, ()),
        )
        return ctx


class WorkOrderAssignView(DispatchRequiredMixin, View):
    def post(self, request, pk):
        order = get_object_or_404(selectors.work_orders_for(request.user), pk=pk)
        form = AssignForm(request.POST, staff=User.objects.filter(is_active=True))
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
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
            _errors(request, error)
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
            elif action == "cancel":
                services.work_order_cancel(
                    work_order=order, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Work order cancelled."))
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
        return redirect(order)


# --- the visit (phone page) ----------------------------------------------------------------------


class VisitView(FieldWorkRequiredMixin, TemplateView):
    """The phone page of a visit: checklist, findings, photos, signatures; a draft kept in the browser.

    GET shows the page; POST takes the draft as JSON (``services.visit_submit``) and answers JSON:
    ``{"ok": true, "url": ...}`` or ``{"ok": false, "errors": [...]}`` with status 400.
    """

    template_name = "inspections/visit.html"

    def order(self):
        return get_object_or_404(selectors.work_orders_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.order()
        inspectors = [a.inspector for a in order.assignments.select_related("inspector").order_by("pk")]
        from django.conf import settings

        from gridcheck.hazards.choices import HazardSeverity

        ctx.update(
            object=order,
            customer=order.customer,
            meters=[m for p in order.customer.metering_points.all() for m in p.meters.all()],
            checklist=checklist_for(order.customer),
            results=ChecklistResult.choices,
            finding_kinds=FindingKind.choices,
            severities=HazardSeverity.choices,
            inspectors=inspectors[:2],
            open_for_visit=order.status in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS),
            photo_max_bytes=settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES,
            photo_max_mb=round(settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES / 1024 / 1024, 1),
        )
        return ctx

    def post(self, request, pk):
        order = self.order()
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"ok": False, "errors": [_("The draft could not be read.")]}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"ok": False, "errors": [_("The draft could not be read.")]}, status=400)
        try:
            visit = services.visit_submit(work_order=order, data=data, user=request.user)
        except ValidationError as error:
            return JsonResponse({"ok": False, "errors": error.messages}, status=400)
        messages.success(request, _("Visit submitted."))
        return JsonResponse({"ok": True, "url": reverse("inspections:visit_detail", args=[visit.pk])})


class VisitDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/visit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visit = get_object_or_404(
            _scoped(Visit, self.request.user).select_related(
                "work_order__customer", "inspector1", "inspector2"
            ),
            pk=kwargs["pk"],
        )
        labels = {item["key"]: item["label"] for item in checklist_for(visit.work_order.customer)}
        ctx.update(
            object=visit,
            checklist=[
                (labels.get(k, k), ChecklistResult(v["result"]).label, v.get("result"), v.get("note", ""))
                for k, v in visit.checklist.items()
            ],
            findings=[(FindingKind(f["kind"]).label, f) for f in visit.findings],
            photos=visit.photos.all(),
            history=history_entries(visit),
        )
        return ctx


class VisitFileView(CapabilityRequiredMixin, View):
    """A visit photo or signature, served only to those who may see the visit (never public media)."""

    def get(self, request, pk, what):
        if what == "photo":
            photo = get_object_or_404(_scoped(VisitPhoto, request.user), pk=pk)
            return FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        visit = get_object_or_404(_scoped(Visit, request.user), pk=pk)
        field = {
            "customer": "customer_signature",
            "inspector1": "inspector1_signature",
            "inspector2": "inspector2_signature",
        }.get(what)
        if field is None or not getattr(visit, field):
            raise Http404
        return FileResponse(getattr(visit, field).open("rb"), content_type="image/png")


# --- plans, dispatch list, weekly report, campaigns ----------------------------------------------


class PlanListView(ScopedListView):
    model = InspectionPlan
    filterset_class = PlanFilterSet
    table_class = PlanTable
    title = gettext_lazy("Inspection plans")
    template_name = "inspections/plan_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if selectors.can_dispatch(self.request.user):
            ctx["generate_form"] = PlanGenerateForm(stations=_scoped(Station, self.request.user))
        return ctx


class PlanGenerateView(DispatchRequiredMixin, View):
    def post(self, request):
        form = PlanGenerateForm(request.POST, stations=_scoped(Station, request.user))
        if not form.is_valid():
            messages.error(request, _("Choose a station and a month."))
            return redirect("inspections:plan_list")
        try:
            result = services.plan_generate(
                station=form.cleaned_data["station"],
                month=month_parse(form.cleaned_data["month"]),
                created_by=request.user,
            )
        except ValidationError as error:
            _errors(request, error)
            return redirect("inspections:plan_list")
        messages.success(
            request,
            _("Plan %(plan)s: %(created)s work orders created, %(existing)s already there.")
            % {"plan": result.plan, "created": result.created, "existing": result.existing},
        )
        return redirect(result.plan)


class PlanDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = get_object_or_404(_scoped(InspectionPlan, self.request.user), pk=kwargs["pk"])
        orders = plan.work_orders.select_related("customer").order_by(
            "due_on", "customer__account_number", "plan_slot"
        )
        by_status = {}
        for order in orders:
            by_status[order.get_status_display()] = by_status.get(order.get_status_display(), 0) + 1
        ctx.update(
            object=plan,
            orders=orders,
            by_status=sorted(by_status.items()),
            history=history_entries(plan),
            can_dispatch=selectors.can_dispatch(self.request.user),
        )
        return ctx


class PlanActionView(DispatchRequiredMixin, View):
    def post(self, request, pk, action):
        plan = get_object_or_404(_scoped(InspectionPlan, request.user), pk=pk)
        try:
            if action == "publish":
                services.plan_publish(plan=plan, user=request.user)
            elif action == "close":
                services.plan_close(plan=plan, user=request.user)
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
        return redirect(plan)


def _date_param(value, default):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


class DispatchListView(CapabilityRequiredMixin, TemplateView):
    """The daily dispatch list (日派工单)."""

    template_name = "inspections/dispatch.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        day = _date_param(self.request.GET.get("date"), timezone.localdate())
        ctx.update(day=day, orders=selectors.dispatch_list(self.request.user, day))
        return ctx


class WeeklyReportView(CapabilityRequiredMixin, TemplateView):
    """The weekly report (周报) per station."""

    template_name = "inspections/weekly.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        start = _date_param(self.request.GET.get("week"), today - datetime.timedelta(days=today.weekday()))
        start = start - datetime.timedelta(days=start.weekday())
        ctx.update(
            report=selectors.weekly_report(self.request.user, start),
            previous=start - datetime.timedelta(days=7),
            next=start + datetime.timedelta(days=7),
        )
        return ctx


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
        stations = _scoped(Station, self.request.user)
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
            targets = list(
                _scoped(Customer, request.user).filter(station=station, account_number__in=numbers)
            )
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
                    _errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


class CampaignDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(_scoped(Campaign, self.request.user), pk=kwargs["pk"])
        ctx.update(
            object=campaign,
            orders=campaign.work_orders.select_related("customer").order_by("customer__account_number"),
            history=history_entries(campaign),
        )
        return ctx


# --- tip-offs ------------------------------------------------------------------------------------


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
        return TipOffForm(self.request.POST or None, customers=_scoped(Customer, self.request.user))

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
                _errors(request, error)
        return self.render_to_response(self.get_context_data(form=form))


class TipOffDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/tipoff_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tipoff = get_object_or_404(
            _scoped(TipOff, user).select_related("customer", "work_order"), pk=kwargs["pk"]
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
        tipoff = get_object_or_404(_scoped(TipOff, request.user), pk=pk)
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
            _errors(request, error)
        return redirect(tipoff)
