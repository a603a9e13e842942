"""Small generic views for scoped archive pages: a filtered, sortable, paginated list and a detail page.

Both restrict their queryset with ``gridcheck.core.scoping.scope_queryset``: an object outside the
user's scope is a 404 (its existence is not revealed), and the choice filters of a list offer only what
the user may see. Lists page with django-tables2's ``LazyPaginator`` (no ``COUNT(*)`` over the whole
table) and show a count capped at ``COUNT_CAP`` so that a million customers stay fast.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page
from django.db import models
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView, View
from django_tables2 import LazyPaginator, RequestConfig
from django_tables2.rows import BoundRows

from gridcheck.core import pagecache
from gridcheck.core.registries import exports
from gridcheck.core.roles import VIEW, has_capability
from gridcheck.core.scoping import scope_queryset

PAGE_SIZE = 50
ALL_LABEL = _("All")
# A choice filter with more options than this (e.g. every area of a large county) is not offered as a
# dropdown until a station narrows it [options].
DROPDOWN_MAX = 400
# Choice filters narrowed by the chosen station: filter name -> lookup of its options to the station id.
NARROWED_BY_STATION = {"area": "station_id", "line": "station_id"}
# No list has this many pages; a larger page number is read as the last one possible [pages].
MAX_PAGE = 1_000_000
# Beyond this many rows a list says "more than N" instead of counting them all [rows].
COUNT_CAP = 100_000
# A list at least this long keeps its count a while instead of counting on every request [rows] ...
COUNT_CACHE_FROM = 5_000
# ... for this long [s].
COUNT_CACHE_S = 60
# Django's select markup with the options written in place, not one included template per option.
SELECT_TEMPLATE = "core/widgets/select.html"


def _unique_sort_key(queryset) -> str | None:
    """The field a queryset is ordered by when that is one unique column (e.g. ``account_number``)."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if len(ordering) != 1 or not isinstance(ordering[0], str):
        return None
    name = ordering[0].lstrip("-")
    if "__" in name or name in queryset.query.annotations:  # a related or a computed column
        return None
    try:
        field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
    except FieldDoesNotExist:  # an annotation's alias the queryset does not name
        return None
    return field.name if (field.unique or field.primary_key) else None


class PageRows:
    """The rows of one page, their keys known and their records read on first use: a list page whose rows
    are kept (``gc_tables.table_rows_tag``, keyed by these keys) reads no record at all."""

    def __init__(self, keys: list, fetch, query: tuple = ()):
        self.keys = keys
        self._fetch = fetch
        self._rows = None
        #: ``(sql, params)`` of the query that found the keys: the list's filters, scope and sort order
        self.query = query

    def _loaded(self) -> list:
        if self._rows is None:
            self._rows = self._fetch()
        return self._rows

    def __len__(self) -> int:
        return len(self._loaded()) if self._rows is not None else len(self.keys)

    def __iter__(self):
        return iter(self._loaded())

    def __getitem__(self, index):
        return self._loaded()[index]

    def __bool__(self) -> bool:
        return len(self) > 0


class DeferredJoinPaginator(LazyPaginator):
    """``LazyPaginator`` that finds a page by its sort keys first, then fetches only those rows, when shown.

    When the list is ordered by one unique column (户号, code, meter number), the page's keys come from
    an index-only scan (``SELECT account_number ... ORDER BY account_number OFFSET n LIMIT 51``) and the
    51 rows are then read by key: a deep page of a million customers does not read half the table. Any
    other ordering finds the page's primary keys the same way (the page's query with its ordering, none
    of its joined columns or computed annotations). The rows are read only when something iterates them
    (``PageRows``): not when the page's rows are kept. A ``distinct()``, ``values()`` or ``union()`` list
    falls back to plain ``LazyPaginator`` slicing.
    """

    def page(self, number):
        rows = self.object_list
        queryset = getattr(getattr(rows, "data", None), "data", None)
        if (
            not hasattr(queryset, "query")
            or queryset._fields is not None  # values(): rows are dicts
            or queryset.query.distinct
            or queryset.query.is_sliced
            or queryset.query.combinator
        ):
            return super().page(number)
        key = _unique_sort_key(queryset) or "pk"
        attname = "pk" if key == "pk" else queryset.model._meta.get_field(key).attname
        number = self.validate_number(number or 1)
        bottom = (number - 1) * self.per_page
        found_keys = queryset.values_list(key, flat=True)[bottom : bottom + self.per_page + 1]
        try:
            query = found_keys.query.sql_with_params()
        except EmptyResultSet:
            query = ()
        keys = list(found_keys)
        if not keys and number != 1:
            raise EmptyPage(_("That page contains no results"))
        if len(keys) > self.per_page:
            self._num_pages = number + 1
            keys = keys[: self.per_page]
        else:
            self._num_pages = self._final_num_pages = number

        def fetch() -> list:
            found = {getattr(record, attname): record for record in queryset.filter(**{f"{key}__in": keys})}
            records = [found[k] for k in keys if k in found]  # one deleted meanwhile: left out
            return list(BoundRows(data=records, table=rows.table))

        return Page(PageRows(keys, fetch, query), number, self)


class CapabilityRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; logged-in users without ``required_capability`` get 403."""

    required_capability = VIEW

    @classmethod
    def opens_for(cls, user) -> bool:
        """Whether the logged-in ``user`` has what opening this page asks of everyone: the one rule of
        ``dispatch`` and of the links to it (``core.access.may_open_path``)."""
        return has_capability(user, cls.required_capability)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.opens_for(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedPage(CapabilityRequiredMixin):
    """An app's page: ``required_capability`` to open it; a form that changes something also needs
    ``action_capability`` (or any one of ``action_capabilities``); objects are looked up within the user's
    scope (404 outside it)."""

    action_capability: str | None = None
    action_capabilities: tuple[str, ...] = ()

    @classmethod
    def opens_for(cls, user) -> bool:
        needed = cls.action_capabilities or ((cls.action_capability,) if cls.action_capability else ())
        if needed and not any(has_capability(user, c) for c in needed):
            return False
        return super().opens_for(user)

    def scoped_object(self, model, pk=None, queryset=None):
        queryset = queryset if queryset is not None else model._default_manager.all()
        return get_object_or_404(scope_queryset(queryset, self.request.user), pk=pk or self.kwargs["pk"])


class StepView(ScopedPage, View):
    """POST one step on an object of ``model``: ``run(request, obj)``; a refusal becomes messages; back to
    ``next_url(obj)`` (the object's page)."""

    model = None

    def post(self, request, pk):
        obj = self.scoped_object(self.model)
        try:
            self.run(request, obj)
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(self.next_url(obj))

    def run(self, request, obj) -> None:
        raise NotImplementedError

    def next_url(self, obj):
        return obj.get_absolute_url()

    def form(self, form_class) -> dict:
        """The cleaned data of ``form_class`` on the POST, or a ValidationError naming each field."""
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        return form.cleaned_data


def form_errors(form, error) -> None:
    """Put a refusal of a service on ``form``: a ``ValidationError`` on the fields it names (the rest, and
    a ``PermissionDenied``, as the form's own errors)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    for message in error.messages:
        form.add_error(None, message)


def form_submit(form, call, *, denied_on_form: bool = False):
    """Validate ``form``, then run ``call(cleaned_data)`` (a service); its result, or None when the form
    or the service refused (the refusal is then on the form, ``form_errors``). A ``PermissionDenied``
    propagates (a 403) unless ``denied_on_form`` shows it on the form (the portal's pages)."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except PermissionDenied as error:
        if not denied_on_form:
            raise
        form_errors(form, error)
    except ValidationError as error:
        form_errors(form, error)
    return None


def error_messages(request, error) -> None:
    """Show a refusal (``ValidationError`` or ``PermissionDenied``) as messages on the next page."""
    from django.contrib import messages

    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."))
        return
    for message in error.messages:
        messages.error(request, message)


def _select_html(context) -> str:
    """``SELECT_TEMPLATE`` rendered in Python, byte for byte: a filter of four hundred areas was four
    hundred passes of the template's option loop, a good part of a list page's time."""
    from django.utils import formats
    from django.utils.html import conditional_escape

    def text(value) -> str:
        return conditional_escape(str(formats.localize(value)))

    widget = context["widget"]
    attrs = "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in widget["attrs"].items()
        if value is not False
    )
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in group_choices:
            selected = " selected" if option["attrs"].get("selected") else ""
            value = conditional_escape(str(option["value"]))  # stringformat:"s"
            parts.append(f'\n  <option value="{value}"{selected}>{text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the template renderer strips the file's last newline
    return "".join(parts)


class FastSelectMixin:
    """A select widget that renders ``SELECT_TEMPLATE`` in Python (``_select_html``); any other template
    the usual way."""

    def _render(self, template_name, context, renderer=None):
        if template_name == SELECT_TEMPLATE:
            from django.utils.safestring import mark_safe

            return mark_safe(_select_html(context))  # noqa: S308 - every value escaped in _select_html
        return super()._render(template_name, context, renderer)


_FAST_CLASSES: dict[type, type] = {}


def fast_select(widget) -> None:
    """Render ``widget`` (a select with ``SELECT_TEMPLATE``) in Python from now on."""
    cls = type(widget)
    if issubclass(cls, FastSelectMixin):
        return
    if cls not in _FAST_CLASSES:
        _FAST_CLASSES[cls] = type(f"Fast{cls.__name__}", (FastSelectMixin, cls), {})
    widget.__class__ = _FAST_CLASSES[cls]


def _count_rows(queryset):
    """``queryset`` reduced to what counting its rows needs: a list of model rows selects only their keys,
    not its ``select_related`` joins nor its computed columns (the suspects' area loss rate, a subquery per
    row, was computed for every suspect of the month to count them). Filters on those columns stay."""
    query = queryset.query
    if (
        getattr(queryset, "_fields", None) is not None
        or query.distinct_fields
        or query.is_sliced
        or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
    ):
        return queryset
    return queryset.values("pk")


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """``(count, capped)``: the number of rows up to ``cap``, and whether there are more.

    A long list's count (``COUNT_CACHE_FROM`` rows or more: a county's customers, bills, findings) is
    kept for ``COUNT_CACHE_S`` seconds under its query, scope filters included, so that paging and
    coming back do not count the county again on every request; a short list is always counted.
    """
    import hashlib

    from django.core.cache import cache

    counted = _count_rows(queryset).order_by()[: cap + 1]
    try:
        sql, params = counted.query.sql_with_params()
    except EmptyResultSet:
        return 0, False
    key = "gridcheck:count:" + hashlib.sha256(f"{counted.db}|{sql}|{params!r}".encode()).hexdigest()
    n = cache.get(key)
    if n is None:
        n = counted.count()
        if n >= COUNT_CACHE_FROM:
            cache.set(key, n, pagecache.lifetime(COUNT_CACHE_S))
    return min(n, cap), n > cap


class LabelChoiceIterator(ModelChoiceIterator):
    """The options of a model-choice filter read as ``(pk, label)`` pairs, for a model whose ``str()`` is
    one of its fields (``CHOICE_LABEL_FIELD``): a county's four hundred areas were four hundred objects
    built for every list page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.queryset.model.CHOICE_LABEL_FIELD
        options = self.queryset.values_list("pk", label)
        # kept a minute per scope as a list page's rows are (the same station's areas on every list page)
        for pk, text in pagecache.kept_for_query("choices", options, lambda: list(options)):
            yield (ModelChoiceIteratorValue(pk, None), text)


def scope_filter_choices(filterset, user, hidden=()):
    """Limit every model-choice filter of ``filterset`` to the user's scope; hide the ``hidden`` ones.

    Also gives the widgets Bootstrap's classes.
    """
    for name, field in filterset.form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            if (
                getattr(queryset.model, "CHOICE_LABEL_FIELD", None)
                and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance
            ):
                field.iterator = LabelChoiceIterator
            field.queryset = scope_queryset(queryset, user)
        if name in hidden:
            field.widget = forms.HiddenInput()
            continue
        if hasattr(field, "empty_label"):
            field.empty_label = ALL_LABEL
        if isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("unknown", ALL_LABEL), *list(field.widget.choices)[1:]]
        elif isinstance(field, forms.ChoiceField) and not hasattr(field, "queryset"):
            if hasattr(field, "empty_label"):
                # django-filter's choice field adds its empty choice (the ``empty_label`` set above) itself
                field.choices = [(value, label) for value, label in field.choices if value != ""]
            else:
                field.choices = [
                    ("", ALL_LABEL) if value == "" else (value, label) for value, label in field.choices
                ]
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
            if field.widget.template_name == forms.Select.template_name:
                field.widget.template_name = SELECT_TEMPLATE
                fast_select(field.widget)
        else:
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


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
    search_placeholder = _("Search by code or name")
    paginate_by = PAGE_SIZE

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return scope_queryset(self.get_base_queryset(), self.request.user)

    def get_filterset(self, queryset):
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        scope_filter_choices(filterset, self.request.user, self.hidden_filters)
        self.deferred_filters = []
        station = self.request.GET.get("station", "")
        for name, lookup in NARROWED_BY_STATION.items():
            field = filterset.form.fields.get(name)
            if field is None or name in self.hidden_filters or not hasattr(field, "queryset"):
                continue
            if station.isdigit() and "station" in filterset.form.fields:
                field.queryset = field.queryset.filter(**{lookup: int(station)})
            options = field.queryset.order_by()[: DROPDOWN_MAX + 1]
            if pagecache.kept_for_query("choices-count", options, options.count) > DROPDOWN_MAX:
                # Too many to list: keep a value given in the URL, ask for a station first.
                field.widget = forms.HiddenInput()
                self.deferred_filters.append(field.label)
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
        if request.GET.get("export") == "xlsx":
            return self.export(self.table.data.data)
        try:
            page = min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
        except ValueError:
            page = 1
        try:
            self.table.paginate(paginator_class=DeferredJoinPaginator, per_page=self.paginate_by, page=page)
        except EmptyPage:
            self.table.paginate(paginator_class=DeferredJoinPaginator, per_page=self.paginate_by, page=1)
        self.queryset = queryset
        return super().get(request, *args, **kwargs)

    def export(self, queryset):
        """The list as filtered and sorted, as XLSX: with the import headers when the list is of an import
        entity (``export_entity``), else with the table's own columns. A list longer than
        ``EXPORT_MAX_ROWS`` is refused with a message asking for a narrower filter."""
        from gridcheck.core.exports import EXPORT_MAX_ROWS, table_xlsx_response, xlsx_response

        if queryset.order_by()[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:
            messages.error(
                self.request,
                _("The list has more than %(limit)s rows: narrow it with the filters before exporting.")
                % {"limit": f"{EXPORT_MAX_ROWS:,}"},
            )
            query = self.request.GET.copy()
            query.pop("export", None)
            return redirect(f"{self.request.path}?{query.urlencode()}")
        title = str(self.get_title())
        filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
        if self.export_entity and self.export_entity in exports:
            return xlsx_response(self.export_entity, queryset, filename)
        return table_xlsx_response(self.table, queryset, title, filename)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        count, capped = capped_count(self.queryset)
        active_filters = any(
            v
            for k, v in self.request.GET.items()
            if k not in ("page", "sort", "q") and k not in self.hidden_filters
        )
        ctx.update(
            title=self.get_title(),
            search_placeholder=self.search_placeholder,
            table=self.table,
            filter=self.filterset,
            count=count,
            count_capped=capped,
            count_cap=COUNT_CAP,
            export_entity=self.export_entity,
            active_filters=active_filters,
            hidden_filters=self.hidden_filters,
            deferred_filters=self.deferred_filters,
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


# Never shown in a change record: bookkeeping, and secrets.
HISTORY_HIDDEN_FIELDS = ("updated_at", "created_at", "password", "last_login")


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return False
    return True


HISTORY_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _display(field, value):
    """A history value as a person reads it: choice labels, related objects by name, booleans in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model is not None:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, models.JSONField):
        return str(_("(changed, see the record)"))
    return str(value)


def history_entries(obj, limit: int = 50) -> list[dict]:
    """The newest ``limit`` change records of ``obj`` (django-simple-history), ready for the 变更记录 card.

    Each entry: ``date``, ``user``, ``type`` (新建/修改/删除), ``type_code`` and ``changes``, a list of
    ``{"field", "old", "new"}`` with values rendered for reading.
    """
    model = type(obj)
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for i, record in enumerate(records[:limit]):
        # One more record than shown is read: the oldest shown has its previous one in hand, and a
        # record without one read before it has none (it is the object's first).
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(
                previous, excluded_fields=[f for f in HISTORY_HIDDEN_FIELDS if _has_field(model, f)]
            )
            for change in delta.changes:
                try:
                    field = model._meta.get_field(change.field)
                except Exception:  # noqa: BLE001 - a field since removed from the model
                    field = None
                changes.append(
                    {
                        "field": field.verbose_name if field is not None else change.field,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "type_code": record.history_type,
                "changes": changes,
                "reason": record.history_change_reason,
            }
        )
    return entries
