"""Archive pages (档案): lists, detail pages with their place in the hierarchy, the customer edit page and search.

Every page shows only what the user may see (``gridcheck.core.scoping``); an object outside the scope
is a 404.
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from gridcheck.archive import filtersets, tables
from gridcheck.archive.forms import CustomerForm
from gridcheck.archive.models import Area, Customer, Line, Meter, MeteringPoint, Station, Tariff
from gridcheck.archive.services import customer_update
from gridcheck.core.generic import (
    CapabilityRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    history_entries,
)
from gridcheck.core.roles import CHANGE, PREPARE_BILLS, has_capability
from gridcheck.core.scoping import scope_queryset

# -- filter sets of the pages: the shared ones, with station/area as dropdowns instead of bare ids ---------


class MeteringPointPageFilterSet(filtersets.MeteringPointFilterSet):
    station = django_filters.ModelChoiceFilter(
        field_name="customer__station", queryset=Station.objects.all(), label=_("station")
    )
    area = django_filters.ModelChoiceFilter(
        field_name="customer__area", queryset=Area.objects.all(), label=_("transformer area")
    )


class MeterPageFilterSet(filtersets.MeterFilterSet):
    station = django_filters.ModelChoiceFilter(
        field_name="metering_point__customer__station", queryset=Station.objects.all(), label=_("station")
    )
    area = django_filters.ModelChoiceFilter(
        field_name="metering_point__customer__area", queryset=Area.objects.all(), label=_("transformer area")
    )


# -- lists ------------------------------------------------------------------------------------------------


class StationListView(ScopedListView):
    model = Station
    filterset_class = filtersets.StationFilterSet
    table_class = tables.StationTable
    export_entity = "stations"

    def get_base_queryset(self):
        return Station.objects.select_related("company")


class LineListView(ScopedListView):
    model = Line
    filterset_class = filtersets.LineFilterSet
    table_class = tables.LineTable
    export_entity = "lines"

    def get_base_queryset(self):
        return Line.objects.select_related("station")


class AreaListView(ScopedListView):
    model = Area
    filterset_class = filtersets.AreaFilterSet
    table_class = tables.AreaTable
    export_entity = "areas"

    def get_base_queryset(self):
        return Area.objects.prefetch_related("station", "line", "owner")

    def get_filterset(self, queryset):
        filterset = super().get_filterset(queryset)
        owner = filterset.form.fields["owner"]
        owner.queryset = owner.queryset.filter(owned_areas__isnull=False).distinct()
        return filterset


class CustomerListView(ScopedListView):
    model = Customer
    filterset_class = filtersets.CustomerFilterSet
    table_class = tables.CustomerTable
    export_entity = "customers"
    search_placeholder = _("Account number, name or meter number")

    def get_base_queryset(self):
        # Related rows are fetched for the page only (prefetch, not a join), so that a deep page of a
        # million customers is an index walk over one table.
        return Customer.objects.prefetch_related("station", "area")


class MeteringPointListView(ScopedListView):
    model = MeteringPoint
    filterset_class = MeteringPointPageFilterSet
    table_class = tables.MeteringPointTable
    export_entity = "metering_points"
    search_placeholder = _("Metering point code, account number or name")
    hidden_filters = ("customer",)

    def get_base_queryset(self):
        return MeteringPoint.objects.prefetch_related("customer")


class MeterListView(ScopedListView):
    model = Meter
    filterset_class = MeterPageFilterSet
    table_class = tables.MeterTable
    export_entity = "meters"
    search_placeholder = _("Meter number or account number")
    hidden_filters = ("metering_point",)

    def get_base_queryset(self):
        return Meter.objects.prefetch_related("metering_point__customer")


class TariffListView(ScopedListView):
    model = Tariff
    filterset_class = filtersets.TariffFilterSet
    table_class = tables.TariffTable
    export_entity = "tariffs"


# -- detail pages -----------------------------------------------------------------------------------------


class ArchiveDetailView(ScopedDetailView):
    """A detail page: breadcrumb of the hierarchy, key facts, child tables and the change history."""

    template_name = "archive/object_detail.html"
    fields: tuple[str, ...] = ()

    def get_breadcrumb(self) -> list[tuple[str, object, str | None]]:
        """``(level label, object, url)`` from the company down to this object."""
        return []

    def get_facts(self) -> list[tuple[str, object]]:
        obj = self.object
        facts = []
        for name in self.fields:
            field = obj._meta.get_field(name)
            value = getattr(obj, f"get_{name}_display")() if field.choices else getattr(obj, name)
            facts.append((field.verbose_name, value))
        return facts

    def get_children(self) -> list[dict]:
        """Child tables: ``{"title", "table", "more_url"}``."""
        return []

    def child(self, title, table_class, queryset, more_url=None, exclude=(), limit=50):
        """A child table of at most ``limit`` rows in scope, with a link to the full list when there are more."""
        queryset = scope_queryset(queryset, self.request.user)
        more = queryset[limit : limit + 1].exists()
        table = table_class(queryset[:limit], orderable=False, exclude=exclude)
        return {"title": title, "table": table, "more_url": more_url if more else None}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            breadcrumb=self.get_breadcrumb(),
            facts=self.get_facts(),
            children=self.get_children(),
            history=history_entries(self.object),
            model_name=self.object._meta.verbose_name,
            can_change=has_capability(self.request.user, CHANGE),
        )
        return ctx


def _crumbs(obj) -> list[tuple[str, object, str | None]]:
    """The hierarchy above and including ``obj``: 公司 › 供电所 › 线路 › 台区 › 客户 › 计量点 › 电能表."""
    chain = []
    node = obj
    while node is not None:
        chain.append(node)
        if isinstance(node, Meter):
            node = node.metering_point
        elif isinstance(node, MeteringPoint):
            node = node.customer
        elif isinstance(node, Customer):
            node = node.area
        elif isinstance(node, Area):
            node = node.line
        elif isinstance(node, Line):
            node = node.station
        elif isinstance(node, Station):
            node = node.company
        else:
            node = None
    crumbs = []
    for item in reversed(chain):
        url = item.get_absolute_url() if hasattr(item, "get_absolute_url") else None
        crumbs.append((item._meta.verbose_name, item, url))
    return crumbs


class StationDetailView(ArchiveDetailView):
    queryset = Station.objects.select_related("company")
    fields = ("code", "name", "company", "address", "phone")

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_children(self):
        s = self.object
        return [
            self.child(
                _("Lines"),
                tables.LineTable,
                s.lines.select_related("station"),
                f"{reverse('archive:line_list')}?station={s.pk}",
                exclude=("station",),
            ),
            self.child(
                _("Transformer areas"),
                tables.AreaTable,
                s.areas.select_related("station", "line", "owner"),
                f"{reverse('archive:area_list')}?station={s.pk}",
                exclude=("station",),
            ),
        ]


class LineDetailView(ArchiveDetailView):
    queryset = Line.objects.select_related("station__company")
    fields = ("code", "name", "station", "voltage_kv", "substation")

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_children(self):
        line = self.object
        return [
            self.child(
                _("Transformer areas"),
                tables.AreaTable,
                line.areas.select_related("station", "line", "owner"),
                f"{reverse('archive:area_list')}?line={line.pk}",
                exclude=("station", "line"),
            )
        ]


class AreaDetailView(ArchiveDetailView):
    queryset = Area.objects.select_related("line__station__company", "owner")
    fields = ("code", "name", "station", "line", "capacity_kva", "owner", "address")

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_children(self):
        area = self.object
        return [
            self.child(
                _("Customers"),
                tables.CustomerTable,
                area.customers.select_related("station", "area"),
                f"{reverse('archive:customer_list')}?area={area.pk}",
                exclude=("station", "area"),
            )
        ]


class CustomerDetailView(ArchiveDetailView):
    queryset = Customer.objects.select_related("area__line__station__company", "station")
    template_name = "archive/customer_detail.html"
    fields = (
        "account_number",
        "name",
        "address",
        "phone",
        "station",
        "area",
        "category",
        "voltage_level",
        "contracted_capacity_kva",
        "tariff_code",
        "inspection_class",
        "status",
        "connected_on",
    )

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # The tariff changes only through a category change; both it and the billing terms are billing's.
        ctx["can_prepare_bills"] = has_capability(self.request.user, PREPARE_BILLS)
        return ctx

    def get_children(self):
        c = self.object
        return [
            self.child(
                _("Metering points"),
                tables.MeteringPointTable,
                c.metering_points.select_related("customer"),
                f"{reverse('archive:meteringpoint_list')}?customer={c.pk}",
                exclude=("customer",),
            ),
            self.child(
                _("Meters"),
                tables.MeterTable,
                Meter.objects.filter(metering_point__customer=c).select_related("metering_point__customer"),
                f"{reverse('archive:meter_list')}?q={c.account_number}",
                exclude=("customer",),
            ),
        ]


class MeteringPointDetailView(ArchiveDetailView):
    queryset = MeteringPoint.objects.select_related("customer__area__line__station__company")
    fields = ("code", "name", "customer", "ct_primary_a", "ct_ratio", "pt_ratio", "multiplier")

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_children(self):
        p = self.object
        return [
            self.child(
                _("Meters"),
                tables.MeterTable,
                p.meters.select_related("metering_point__customer"),
                f"{reverse('archive:meter_list')}?metering_point={p.pk}",
                exclude=("customer", "metering_point"),
            )
        ]


class MeterDetailView(ArchiveDetailView):
    queryset = Meter.objects.select_related("metering_point__customer__area__line__station__company")
    fields = (
        "asset_number",
        "metering_point",
        "phase",
        "accuracy_class",
        "rated_current_a",
        "max_current_a",
        "rated_voltage_v",
        "register_digits",
        "manufacturer",
        "install_date",
        "status",
    )

    def get_breadcrumb(self):
        return _crumbs(self.object)

    def get_facts(self):
        facts = super().get_facts()
        facts.insert(6, (_("Current rating"), self.object.current_rating))
        facts.insert(7, (_("multiplier"), self.object.metering_point.multiplier))
        return facts


# -- edit -------------------------------------------------------------------------------------------------


class CustomerEditView(CapabilityRequiredMixin, FormView):
    """Edit a customer's archive record (capability ``change``); the change goes through ``customer_update``."""

    required_capability = CHANGE
    form_class = CustomerForm
    template_name = "archive/customer_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            queryset = scope_queryset(
                Customer.objects.select_related("area__line__station__company"), request.user
            )
            self.customer = queryset.filter(pk=kwargs["pk"]).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        if self.customer is None:
            raise Http404
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=Customer.objects.get(pk=self.customer.pk), user=self.request.user)
        return kwargs

    def form_valid(self, form):
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            try:
                customer_update(customer=self.customer, user=self.request.user, **changed)
            except ValidationError as error:  # e.g. no supply without a contract in force
                form.add_error(None, error.messages)
                return self.form_invalid(form)
            messages.success(self.request, _("Customer saved."))
        else:
            messages.info(self.request, _("Nothing changed."))
        return redirect(self.customer.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(object=self.customer, breadcrumb=_crumbs(self.customer))
        return ctx


# -- search -----------------------------------------------------------------------------------------------


class SearchView(CapabilityRequiredMixin, TemplateView):
    """One box over the archive: 户号 prefix, customer name, meter asset number; also stations, lines, areas.

    A single hit, or an exact 户号 / meter number, goes straight to the customer's page.
    """

    template_name = "archive/search.html"
    LIMIT = 50

    def get(self, request, *args, **kwargs):
        self.q = request.GET.get("q", "").strip()
        user = request.user
        results = {"customers": [], "areas": [], "lines": [], "stations": []}
        if self.q:
            customers = scope_queryset(Customer.objects.select_related("station", "area"), user)
            exact = customers.filter(account_number=self.q).first()
            if exact is None:
                meter = (
                    scope_queryset(Meter.objects.select_related("metering_point__customer"), user)
                    .filter(asset_number=self.q)
                    .first()
                )
                exact = meter.metering_point.customer if meter else None
            if exact is not None:
                return redirect(exact.get_absolute_url())
            found = filtersets.CustomerFilterSet({"q": self.q}, queryset=customers).qs
            rows = found[: self.LIMIT + 1]
            for key, model in (("areas", Area), ("lines", Line), ("stations", Station)):
                results[key] = list(
                    scope_queryset(model.objects.all(), user).filter(
                        Q(code__istartswith=self.q) | Q(name__icontains=self.q)
                    )[:10]
                )
            n = len(rows)
            if n == 1 and not any(results[k] for k in ("areas", "lines", "stations")):
                return redirect(rows[0].get_absolute_url())
            results["customers"] = found[: self.LIMIT] if n else []
            results["n_customers"] = min(n, self.LIMIT)
            results["more"] = n > self.LIMIT
        self.results = results
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = (
            tables.CustomerTable(self.results["customers"], orderable=False)
            if self.results.get("n_customers")
            else None
        )
        ctx.update(
            q=self.q,
            results=self.results,
            customer_table=table,
            total=self.results.get("n_customers", 0)
            + sum(len(self.results[k]) for k in ("areas", "lines", "stations")),
            more_url=f"{reverse('archive:customer_list')}?{urlencode({'q': self.q})}",
        )
        return ctx
