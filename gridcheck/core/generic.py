"""Small generic views for scoped archive pages: a filtered, sortable, paginated list and a detail page.

Both restrict their queryset with ``gridcheck.core.scoping.scope_queryset``: an object outside the
user's scope is a 404 (its existence is not revealed), and the choice filters of a list offer only what
the user may see. Lists page with django-tables2's ``LazyPaginator`` (no ``COUNT(*)`` over the whole
table) and show a count capped at ``COUNT_CAP`` so that a million customers stay fast.
"""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView
from django_tables2 import LazyPaginator, RequestConfig

from gridcheck.core.permissions import VIEW, has_capability
from gridcheck.core.scoping import scope_queryset

PAGE_SIZE = 50
# Beyond this many rows a list says "more than N" instead of counting them all [rows].
COUNT_CAP = 100_000


class CapabilityRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; logged-in users without ``required_capability`` get 403."""

    required_capability = VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_capability(request.user, self.required_capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """``(count, capped)``: the number of rows up to ``cap``, and whether there are more."""
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def scope_filter_choices(filterset, user, hidden=()):
    """Limit every model-choice filter of ``filterset`` to the user's scope; hide the ``hidden`` ones."""
    for name, field in filterset.form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            field.queryset = scope_queryset(queryset, user)
        if name in hidden:
            field.widget = forms.HiddenInput()


class ScopedListView(CapabilityRequiredMixin, TemplateView):
    """A list page: scoped queryset, django-filter form, django-tables2 table, XLSX export.

    Subclasses set ``model``, ``filterset_class``, ``table_class``, ``export_entity`` and optionally
    ``hidden_filters`` (filters kept in the query string but not shown, e.g. a parent id).
    """

    model = None
    filterset_class = None
    table_class = None
    export_entity: str | None = None
    hidden_filters: tuple[str, ...] = ()
    template_name = "includes/list_page.html"
    title = None
    paginate_by = PAGE_SIZE

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return scope_queryset(self.get_base_queryset(), self.request.user)

    def get_filterset(self, queryset):
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        scope_filter_choices(filterset, self.request.user, self.hidden_filters)
        return filterset

    def get_title(self):
        return self.title or self.model._meta.verbose_name_plural

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_queryset())
        if self.filterset.is_bound and not self.filterset.is_valid():
            queryset = self.filterset.queryset.none()
        else:
            queryset = self.filterset.qs
        self.table = self.table_class(queryset)
        RequestConfig(request, paginate=False).configure(self.table)  # sorting from ?sort=
        if request.GET.get("export") == "xlsx" and self.export_entity:
            from gridcheck.archive.exports import xlsx_response

            return xlsx_response(self.export_entity, self.table.data.data, f"{self.export_entity}.xlsx")
        try:
            page = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            page = 1
        try:
            self.table.paginate(paginator_class=LazyPaginator, per_page=self.paginate_by, page=page)
        except EmptyPage:
            self.table.paginate(paginator_class=LazyPaginator, per_page=self.paginate_by, page=1)
        self.queryset = queryset
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        count, capped = capped_count(self.queryset)
        active_filters = any(
            v for k, v in self.request.GET.items() if k not in ("page", "sort", "q") and k not in self.hidden_filters
        )
        ctx.update(
            title=self.get_title(),
            table=self.table,
            filter=self.filterset,
            count=count,
            count_capped=capped,
            count_cap=COUNT_CAP,
            export_entity=self.export_entity,
            active_filters=active_filters,
            hidden_filters=self.hidden_filters,
        )
        return ctx


class ScopedDetailView(CapabilityRequiredMixin, DetailView):
    """A detail page of an object within the user's scope; anything else is a 404."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            raise Http404(_("Not found.")) from None
