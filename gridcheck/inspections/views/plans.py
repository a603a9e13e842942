"""Monthly inspection plans: the list, generating a month's plan, a plan's page, publishing, closing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, history_entries
from gridcheck.core.periods import month_parse
from gridcheck.core.scoping import scope_queryset
from gridcheck.inspections import selectors, services
from gridcheck.inspections.choices import WorkOrderStatus
from gridcheck.inspections.filtersets import PlanFilterSet
from gridcheck.inspections.forms import PlanGenerateForm
from gridcheck.inspections.models import InspectionPlan
from gridcheck.inspections.tables import PlanTable
from gridcheck.inspections.views.common import DispatchRequiredMixin, scoped, show_errors


class PlanListView(ScopedListView):
    model = InspectionPlan
    filterset_class = PlanFilterSet
    table_class = PlanTable
    title = gettext_lazy("Inspection plans")
    template_name = "inspections/plan_list.html"

    def get_base_queryset(self):
        return InspectionPlan.objects.select_related("station").annotate(order_count=Count("work_orders"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if selectors.can_dispatch(self.request.user):
            ctx["generate_form"] = PlanGenerateForm(stations=scoped(Station, self.request.user))
        return ctx


class PlanGenerateView(DispatchRequiredMixin, View):
    def post(self, request):
        form = PlanGenerateForm(request.POST, stations=scoped(Station, request.user))
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
            show_errors(request, error)
            return redirect("inspections:plan_list")
        messages.success(
            request,
            _("Plan %(plan)s: %(created)s work orders created, %(existing)s already there.")
            % {"plan": result.plan, "created": result.created, "existing": result.existing},
        )
        return redirect(result.plan)


#: Work orders shown on one page of a plan [orders].
PLAN_PAGE_SIZE = 100


class PlanDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = get_object_or_404(scoped(InspectionPlan, self.request.user), pk=kwargs["pk"])
        # The user's own part of the plan (an area manager: their areas), one page of it.
        orders = scope_queryset(plan.work_orders.select_related("customer"), self.request.user).order_by(
            "due_on", "customer__account_number", "plan_slot"
        )
        paginator = Paginator(orders, PLAN_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        by_status = {}
        for row in orders.values("status").annotate(n=Count("pk")).order_by():
            label = WorkOrderStatus(row["status"]).label
            by_status[label] = by_status.get(label, 0) + row["n"]
        ctx.update(
            object=plan,
            orders=page.object_list,
            page_obj=page,
            by_status=sorted(by_status.items()),
            history=history_entries(plan),
            can_dispatch=selectors.can_dispatch(self.request.user),
        )
        return ctx


class PlanActionView(DispatchRequiredMixin, View):
    def post(self, request, pk, action):
        plan = get_object_or_404(scoped(InspectionPlan, request.user), pk=pk)
        try:
            if action == "publish":
                services.plan_publish(plan=plan, user=request.user)
            elif action == "close":
                services.plan_close(plan=plan, user=request.user)
            else:
                raise Http404
        except ValidationError as error:
            show_errors(request, error)
        return redirect(plan)
