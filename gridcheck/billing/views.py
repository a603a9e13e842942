"""Pages of meter reading and billing: books, cycles, the reader's phone pages, bills, refunds, changes.

Scoping: an object outside the user's station (or areas) is a 404. Reading needs ``view_billing``
(``AccessMiddleware``); each action shows only to those with its capability and the services check again
and refuse what the rules forbid (the preparer never checks or approves): their refusals are shown as
messages or form errors, never as an error page.
"""

import mimetypes
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Area, Customer, Meter, Station, Tariff
from gridcheck.billing import selectors, services
from gridcheck.billing.choices import (
    AdjustmentKind,
    AnomalyStatus,
    BillStatus,
    ChangeStatus,
    CycleStatus,
    ReadingSource,
)
from gridcheck.billing.filtersets import (
    AdjustmentFilterSet,
    AnomalyFilterSet,
    BillFilterSet,
    BookFilterSet,
    CategoryChangeFilterSet,
    CycleFilterSet,
)
from gridcheck.billing.forms import (
    METER_ERROR_CAUSE_LABELS,
    AdjustmentForm,
    AnomalyForm,
    BillingTermsForm,
    BookChangeForm,
    BookForm,
    CategoryChangeForm,
    DecisionForm,
    NoteForm,
    OpenCycleForm,
    ReadingForm,
    ResolveForm,
    WithdrawForm,
)
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BillingTerms,
    BookChange,
    CategoryChange,
    MeterReading,
    ReaderAnomaly,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.billing.tables import (
    AdjustmentTable,
    AnomalyTable,
    BillTable,
    BookTable,
    CategoryChangeTable,
    CycleTable,
    flag_labels,
    status_badge,
)
from gridcheck.core.generic import (
    ScopedListView,
    ScopedPage,
    StepView,
    history_entries,
)
from gridcheck.core.periods import month_add
from gridcheck.core.roles import (
    APPROVE_STATION,
    CHECK_BILLS,
    PREPARE_BILLS,
    READ_METERS,
    VIEW_BILLING,
    has_capability,
)
from gridcheck.core.scoping import scope_queryset, scoped, sees_only_some_areas
from gridcheck.core.uploads import upload_accept, upload_response
from gridcheck_analytics.penalties.labels import inputs_text

#: How many refusals of a bill run are shown, one message each (the rest are counted).
MAX_RUN_ERRORS = 30

STATUS_LABELS = {
    "Bill": dict(BillStatus.choices),
    "ReadingCycle": dict(CycleStatus.choices),
    "ReaderAnomaly": dict(AnomalyStatus.choices),
}


# ----------------------------------------------------------------------------------------- helpers
def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refused(form, error) -> None:
    """A service's refusal on the form (``PermissionDenied`` as a form-wide error)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    else:
        _form_errors(form, error)


def _events(subject) -> list[dict]:
    """The state changes of ``subject`` with their statuses in words."""
    labels = STATUS_LABELS.get(type(subject).__name__, dict(ChangeStatus.choices))
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "from": labels.get(e.from_status, e.from_status) if e.from_status else "",
            "to": labels.get(e.to_status, e.to_status),
            "note": e.note,
        }
        for e in selectors.events_of(subject)
    ]


def _items(calculation: dict) -> list[dict]:
    """The lines of a calculation, each with its inputs as one line of text."""
    rows = []
    for item in (calculation or {}).get("items", []):
        row = dict(item)
        row["inputs_text"] = inputs_text(item.get("inputs"))
        rows.append(row)
    return rows


class BillingPage(ScopedPage):
    required_capability = VIEW_BILLING


class ActionView(BillingPage, StepView):
    """POST one step of billing (``StepView``)."""


# ------------------------------------------------------------------------------------ reading books
class BookListView(ScopedListView):
    model = ReadingBook
    filterset_class = BookFilterSet
    table_class = BookTable
    title = gettext_lazy("Reading books")
    search_placeholder = gettext_lazy("Book code or name")
    template_name = "billing/book_list.html"
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        return ReadingBook.objects.select_related("station", "reader")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_prepare"] = has_capability(self.request.user, PREPARE_BILLS)
        ctx["is_reader"] = has_capability(self.request.user, READ_METERS) or ctx["can_prepare"]
        return ctx


def _readers(user, station=None):
    from gridcheck.users.models import User

    queryset = User.objects.filter(is_active=True, role__in=["meter_reader"])
    if station is not None:
        queryset = queryset.filter(station=station)
    elif user.station_id is not None:
        queryset = queryset.filter(station_id=user.station_id)
    return queryset.order_by("username")


class BookCreateView(BillingPage, TemplateView):
    template_name = "billing/book_form.html"
    action_capability = PREPARE_BILLS

    def get_form(self):
        user = self.request.user
        stations = scoped(Station, user).order_by("code")
        areas = scoped(Area, user).filter(book_entry__isnull=True).order_by("code")
        return BookForm(self.request.POST or None, stations=stations, readers=_readers(user), areas=areas)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                book = services.book_create(
                    user=request.user,
                    station=data["station"],
                    code=data["code"].strip(),
                    name=data["name"].strip(),
                    reading_day=data["reading_day"],
                    cycle_months=data["cycle_months"],
                    reader=data["reader"],
                    areas=list(data["areas"]),
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Reading book %(code)s created.") % {"code": book.code})
                return redirect(book)
        return self.render_to_response(self.get_context_data(form=form))


class BookDetailView(BillingPage, TemplateView):
    template_name = "billing/book_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        book = self.scoped_object(
            ReadingBook, queryset=ReadingBook.objects.select_related("station", "reader")
        )
        cycles = list(book.cycles.order_by("-period")[:24])
        latest = cycles[0].period if cycles else None
        ctx.update(
            object=book,
            book=book,
            areas=[entry.area for entry in book.areas.select_related("area")],
            cycles=[(c, status_badge(c)) for c in cycles],
            changes=[(c, status_badge(c)) for c in book.changes.select_related("requested_by", "decided_by")],
            can_prepare=has_capability(user, PREPARE_BILLS),
            can_approve=has_capability(user, APPROVE_STATION),
            open_form=OpenCycleForm(
                initial={"period": f"{month_add(latest, book.cycle_months):%Y-%m}" if latest else ""}
            ),
            decision_form=DecisionForm(),
            history=history_entries(book),
        )
        return ctx


class BookOpenCycleView(ActionView):
    model = ReadingBook
    action_capability = PREPARE_BILLS

    def run(self, request, book):
        period = self.form(OpenCycleForm)["period"]
        cycle = services.cycle_open(user=request.user, book=book, period=period)
        self._cycle = cycle
        messages.success(request, _("Cycle %(cycle)s is open for reading.") % {"cycle": cycle})

    def next_url(self, obj):
        cycle = getattr(self, "_cycle", None)
        return cycle.get_absolute_url() if cycle else obj.get_absolute_url()


class BookChangeRequestView(BillingPage, TemplateView):
    template_name = "billing/book_change_form.html"
    action_capability = PREPARE_BILLS

    def get_book(self):
        return self.scoped_object(ReadingBook)

    def get(self, request, *args, **kwargs):
        book = self.get_book()
        form = BookChangeForm(initial={"reading_day": book.reading_day, "cycle_months": book.cycle_months})
        return self.render_to_response(self.get_context_data(form=form, book=book))

    def post(self, request, *args, **kwargs):
        book = self.get_book()
        form = BookChangeForm(request.POST)
        if form.is_valid():
            try:
                services.book_change_request(user=request.user, book=book, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(
                    request, _("Change requested: it applies once the station head approves it.")
                )
                return redirect(book)
        return self.render_to_response(self.get_context_data(form=form, book=book))


class BookChangeDecideView(ActionView):
    model = BookChange
    action_capability = APPROVE_STATION

    def run(self, request, change):
        data = self.form(DecisionForm)
        services.book_change_decide(
            user=request.user, change=change, approve=data["decision"] == "approve", comment=data["comment"]
        )
        messages.success(request, _("Decision recorded."))

    def next_url(self, obj):
        return obj.book.get_absolute_url()


# ------------------------------------------------------------------------------------------ cycles
class CycleListView(ScopedListView):
    model = ReadingCycle
    filterset_class = CycleFilterSet
    table_class = CycleTable
    title = gettext_lazy("Reading cycles")
    search_placeholder = gettext_lazy("Book code or name")
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        return selectors.with_reading_counts(ReadingCycle.objects.select_related("book", "station"))


class CycleDetailView(BillingPage, TemplateView):
    template_name = "billing/cycle_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = self.scoped_object(
            ReadingCycle, queryset=ReadingCycle.objects.select_related("book", "station")
        )
        summary = selectors.cycle_summary(cycle)
        sources = dict(ReadingSource.choices)
        # the book is its station's (an area manager reads it too): its figures are the whole book's, its
        # customers' bills, meters and readings are listed only within the user's scope (an area
        # manager's own areas)
        review = [
            (bill, flag_labels(bill.review_flags), status_badge(bill))
            for bill in scope_queryset(selectors.review_list(cycle), user)
        ]
        bills = cycle.bills.all()
        counts = {status: bills.filter(status=status).count() for status in BillStatus.values}
        unread = scope_queryset(summary["unread"], user)
        listed = {r.customer_id for r, _ in (*summary["backwards"], *summary["multiplier_mismatch"])}
        visible = set(scoped(Customer, user).filter(pk__in=listed).values_list("pk", flat=True))
        summary["backwards"] = [(r, p) for r, p in summary["backwards"] if r.customer_id in visible]
        summary["multiplier_mismatch"] = [
            (r, a) for r, a in summary["multiplier_mismatch"] if r.customer_id in visible
        ]
        next_period = month_add(cycle.book.cycles.order_by("-period").first().period, cycle.book.cycle_months)
        ctx.update(
            object=cycle,
            cycle=cycle,
            status_badge=status_badge(cycle),
            summary=summary,
            rate=summary["actual_rate_percent"],
            by_source=[(sources[s], n) for s, n in summary["by_source"].items()],
            unread=list(unread.order_by("metering_point__customer__account_number")[:200]),
            unread_count=summary["due"] - summary["read"] if summary["due"] >= summary["read"] else 0,
            unread_listed=unread.count(),
            lists_scoped=sees_only_some_areas(user),
            review=review,
            bill_counts=[(label, counts[value]) for value, label in BillStatus.choices],
            bill_total=sum(counts.values()),
            drafts=counts[BillStatus.DRAFT],
            anomalies=scope_queryset(cycle.anomalies.select_related("customer", "meter"), user),
            next_period=next_period,
            can_prepare=has_capability(user, PREPARE_BILLS),
            can_check=has_capability(user, CHECK_BILLS),
            can_read=selectors.can_read_meters(user, cycle.book),
        )
        return ctx


class CycleOpenNextView(ActionView):
    """Open the book's next cycle (the month after its latest)."""

    model = ReadingCycle
    action_capability = PREPARE_BILLS

    def run(self, request, cycle):
        latest = cycle.book.cycles.order_by("-period").first()
        period = month_add(latest.period, cycle.book.cycle_months)
        self._cycle = services.cycle_open(user=request.user, book=cycle.book, period=period)
        messages.success(request, _("Cycle %(cycle)s is open for reading.") % {"cycle": self._cycle})

    def next_url(self, obj):
        cycle = getattr(self, "_cycle", None)
        return (cycle or obj).get_absolute_url()


class CycleCollectView(ActionView):
    model = ReadingCycle
    action_capability = PREPARE_BILLS

    def run(self, request, cycle):
        counts = services.cycle_collect_ami(user=request.user, cycle=cycle)
        messages.success(
            request,
            _(
                "AMI readings: %(created)s new, %(updated)s refreshed, %(kept)s entered by hand kept, "
                "%(missing)s meters without AMI data."
            )
            % counts,
        )


class CycleBillView(ActionView):
    model = ReadingCycle
    action_capability = PREPARE_BILLS

    def run(self, request, cycle):
        try:
            counts = services.cycle_bill(user=request.user, cycle=cycle)
        except services.BillRunError as error:
            messages.error(
                request,
                _("The cycle was not billed: %(n)s customers cannot be billed. Nothing was written.")
                % {"n": len(error.errors)},
            )
            for message in error.errors[:MAX_RUN_ERRORS]:
                messages.error(request, message)
            if len(error.errors) > MAX_RUN_ERRORS:
                messages.error(request, _("… and %(n)s more.") % {"n": len(error.errors) - MAX_RUN_ERRORS})
            return
        messages.success(
            request,
            _(
                "Billed: %(created)s new bills, %(updated)s drafts recomputed, %(kept)s checked or issued "
                "bills kept; %(flagged)s on the review list."
            )
            % counts,
        )


class CycleCheckView(ActionView):
    model = ReadingCycle
    action_capability = CHECK_BILLS

    def run(self, request, cycle):
        n = services.cycle_check_unflagged(user=request.user, cycle=cycle)
        messages.success(request, _("%(n)s bills not on the review list checked.") % {"n": n})


class CycleIssueView(ActionView):
    model = ReadingCycle
    action_capability = CHECK_BILLS

    def run(self, request, cycle):
        n = services.cycle_issue(user=request.user, cycle=cycle)
        messages.success(request, _("%(n)s bills issued.") % {"n": n})


# ------------------------------------------------------------------------------- the reader's phone
class ReaderPage(BillingPage):
    """The reader's pages: the book's reader (or billing staff who enter a reading phoned in)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            has_capability(request.user, READ_METERS) or has_capability(request.user, PREPARE_BILLS)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_cycle(self):
        cycle = self.scoped_object(ReadingCycle, queryset=ReadingCycle.objects.select_related("book"))
        if not selectors.can_read_meters(self.request.user, cycle.book):
            raise PermissionDenied(_("Only the book's reader (or billing staff) enters its readings."))
        return cycle

    def get_meter(self, cycle):
        meter_id = self.request.GET.get("meter") or self.request.POST.get("meter") or ""
        if not str(meter_id).isdigit():
            return None
        return selectors.book_meters(cycle.book, cycle.reading_date).filter(pk=int(meter_id)).first()


class ReaderHomeView(ReaderPage, TemplateView):
    template_name = "billing/reader_home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        books = scoped(ReadingBook, user).select_related("station")
        if not has_capability(user, PREPARE_BILLS):
            books = books.filter(reader=user)
        open_cycles = selectors.with_reading_counts(
            ReadingCycle.objects.filter(book__in=books, status=CycleStatus.OPEN)
        ).order_by("period")
        by_book = defaultdict(list)
        for cycle in open_cycles:
            by_book[cycle.book_id].append((cycle, cycle.meters_due - cycle.meters_unread, cycle.meters_due))
        ctx["books"] = [(book, by_book[book.pk]) for book in books.order_by("code")]
        return ctx


class ReaderCycleView(ReaderPage, TemplateView):
    """A cycle's meters on the reader's phone: those not read, those read or all (``?show=``), found by
    account number, name, address or meter number (``?q=``), a page at a time; ``?meter=`` opens the page
    holding that meter (where a reading's form returns)."""

    template_name = "billing/reader_cycle.html"
    page_size = 50
    SHOWS = ("todo", "done", "all")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = self.get_cycle()
        readings = {r.meter_id: r for r in cycle.readings.all()}
        meters = list(selectors.book_meters(cycle.book, cycle.reading_date).order_by(*selectors.READER_ORDER))
        unread = sum(1 for meter in meters if meter.pk not in readings)
        show = self.request.GET.get("show")
        if show not in self.SHOWS:
            show = "todo" if unread else "all"
        query = self.request.GET.get("q", "").strip()
        jump = self.request.GET.get("meter", "")
        if jump.isdigit():  # back from a reading's form: the meter's page among all
            show, query = "all", ""
        chosen = [m for m in meters if show == "all" or (show == "done") == (m.pk in readings)]
        if query:
            chosen = [m for m in chosen if _reader_match(m, query)]
        paginator = Paginator(chosen, self.page_size)
        number = self.request.GET.get("page")
        if jump.isdigit():
            at = next((i for i, m in enumerate(chosen) if m.pk == int(jump)), 0)
            number = at // self.page_size + 1
        page = paginator.get_page(number)
        previous_of = selectors.previous_readings(
            Meter.objects.filter(pk__in=[m.pk for m in page]), cycle.reading_date
        )
        rows = [
            {
                "meter": meter,
                "customer": meter.metering_point.customer,
                "previous": previous_of.get(meter.pk),
                "reading": readings.get(meter.pk),
            }
            for meter in page
        ]
        ctx.update(
            cycle=cycle,
            rows=rows,
            page=page,
            show=show,
            query=query,
            shows=[
                ("todo", pgettext("meters of a cycle", "Not read"), unread),
                ("done", pgettext("meters of a cycle", "Read"), len(meters) - unread),
                ("all", pgettext("meters of a cycle", "All"), len(meters)),
            ],
            done=len(meters) - unread,
            due=len(meters),
            is_open=cycle.status == CycleStatus.OPEN,
        )
        return ctx


def _reader_match(meter: Meter, query: str) -> bool:
    """Whether the reader's search ``query`` is in the meter's number or its customer's account number,
    name or address."""
    customer = meter.metering_point.customer
    return any(
        query in text
        for text in (meter.asset_number, customer.account_number, customer.name, customer.address)
    )


class ReadingEntryView(ReaderPage, TemplateView):
    template_name = "billing/reading_form.html"

    def context(self, cycle, meter, form):
        previous = selectors.previous_reading(meter.pk, cycle.reading_date)
        return self.get_context_data(
            cycle=cycle,
            meter=meter,
            customer=meter.metering_point.customer,
            point=meter.metering_point,
            previous=previous,
            form=form,
            is_open=cycle.status == CycleStatus.OPEN,
            photo_max_mb=round(settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES / 1024 / 1024, 1),
        )

    def get(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        meter = self.get_meter(cycle)
        if meter is None:
            return redirect("billing:reader_cycle", pk=cycle.pk)
        reading = cycle.readings.filter(meter=meter).first()
        initial = {"source": ReadingSource.HANDHELD}
        if reading is not None:
            initial.update(
                {
                    n: getattr(reading, n)
                    for n in ("total", "peak", "flat", "valley", "reactive", "multiplier_read")
                },
                source=reading.source,
            )
        return self.render_to_response(self.context(cycle, meter, ReadingForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        meter = self.get_meter(cycle)
        if meter is None:
            messages.error(request, _("This meter is not in the book."))
            return redirect("billing:reader_cycle", pk=cycle.pk)
        form = ReadingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photo = None
                upload = form.cleaned_data.get("photo")
                if upload:
                    accepted = upload_accept(
                        upload, kind="photo", max_bytes=settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES
                    )
                    photo = accepted
                services.reading_enter(
                    user=request.user,
                    cycle=cycle,
                    meter=meter,
                    source=form.cleaned_data["source"],
                    photo=photo,
                    multiplier_read=form.cleaned_data.get("multiplier_read"),
                    **form.registers(),
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict") and error.code in ("upload_refused", "upload_too_large"):
                    form.add_error("photo", error)
                else:
                    _form_errors(form, error)
            except PermissionDenied as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _("Reading of meter %(meter)s (%(customer)s) saved.")
                    % {"meter": meter.asset_number, "customer": meter.metering_point.customer.name},
                )
                if request.POST.get("then") == "next":  # 保存并抄下一户
                    following = selectors.next_unread_meter(cycle, meter)
                    if following is not None:
                        return redirect(
                            reverse("billing:reading_entry", args=[cycle.pk]) + f"?meter={following.pk}"
                        )
                    messages.info(request, _("Every meter of the book is read."))
                return redirect(
                    reverse("billing:reader_cycle", args=[cycle.pk]) + f"?meter={meter.pk}#m{meter.pk}"
                )
        return self.render_to_response(self.context(cycle, meter, form))


class AnomalyReportView(ReaderPage, TemplateView):
    template_name = "billing/anomaly_form.html"

    def render(self, cycle, meter, form):
        return self.render_to_response(
            self.get_context_data(cycle=cycle, meter=meter, customer=meter.metering_point.customer, form=form)
        )

    def get(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        meter = self.get_meter(cycle)
        if meter is None:
            return redirect("billing:reader_cycle", pk=cycle.pk)
        return self.render(cycle, meter, AnomalyForm())

    def post(self, request, *args, **kwargs):
        cycle = self.get_cycle()
        meter = self.get_meter(cycle)
        if meter is None:
            messages.error(request, _("This meter is not in the book."))
            return redirect("billing:reader_cycle", pk=cycle.pk)
        form = AnomalyForm(request.POST)
        if form.is_valid():
            try:
                anomaly = services.anomaly_report(
                    user=request.user, meter=meter, cycle=cycle, **form.cleaned_data
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                text = _("Anomaly reported; the station head is told.")
                if anomaly.suspected_theft:
                    text += " " + _("A work order for an inspector and the metering staff is opened.")
                messages.success(request, text)
                return redirect(
                    reverse("billing:reader_cycle", args=[cycle.pk]) + f"?meter={meter.pk}#m{meter.pk}"
                )
        return self.render(cycle, meter, form)


# -------------------------------------------------------------------------------------------- bills
class BillListView(ScopedListView):
    model = Bill
    filterset_class = BillFilterSet
    table_class = BillTable
    title = gettext_lazy("Bills")
    search_placeholder = gettext_lazy("Bill number, account number or customer name")
    hidden_filters = ("cycle",)
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        # Newest month first, then by bill number (B + month + 户号, so by 户号 as the model's ordering):
        # the ``billing_bill_list`` index gives the page without joining and sorting every bill. The
        # calculation and its inputs (large JSON) are not shown in the list.
        return (
            Bill.objects.select_related("customer", "area")
            .defer("calculation", "inputs")
            .order_by("-period", "number")
        )


class BillDetailView(BillingPage, TemplateView):
    template_name = "billing/bill_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        bill = self.scoped_object(
            Bill,
            queryset=Bill.objects.select_related(
                "customer", "area", "cycle__book", "prepared_by", "checked_by"
            ),
        )
        bulky = {str(Bill._meta.get_field(n).verbose_name) for n in ("calculation", "inputs", "review_flags")}
        history = history_entries(bill)
        for entry in history:
            entry["changes"] = [c for c in entry["changes"] if str(c["field"]) not in bulky]
        ctx.update(
            object=bill,
            bill=bill,
            status_badge=status_badge(bill),
            items=_items(bill.calculation),
            warnings=(bill.calculation or {}).get("warnings", []),
            rules=(bill.calculation or {}).get("rules", []),
            flags=flag_labels(bill.review_flags),
            events=_events(bill),
            adjustments=[(a, status_badge(a)) for a in bill.adjustments.select_related("prepared_by")],
            history=history,
            can_check=bill.status == BillStatus.DRAFT and selectors.can_check(user, bill.prepared_by_id),
            is_preparer=user.pk == bill.prepared_by_id,
            can_adjust=bill.status in (BillStatus.ISSUED, BillStatus.ADJUSTED)
            and has_capability(user, PREPARE_BILLS),
            check_form=NoteForm(),
        )
        return ctx


class BillCheckView(ActionView):
    model = Bill
    action_capability = CHECK_BILLS

    def run(self, request, bill):
        data = self.form(NoteForm)
        services.bill_check(user=request.user, bill=bill, note=data["note"])
        messages.success(request, _("Bill %(number)s checked.") % {"number": bill.number})


# ------------------------------------------------------------------------------ refunds and back-bills
class AdjustmentListView(ScopedListView):
    model = BillAdjustment
    filterset_class = AdjustmentFilterSet
    table_class = AdjustmentTable
    title = gettext_lazy("Refunds and back-bills")
    search_placeholder = gettext_lazy("Bill number, account number or customer name")
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        return BillAdjustment.objects.select_related("bill__customer", "prepared_by")


class AdjustmentCreateView(BillingPage, TemplateView):
    template_name = "billing/adjustment_form.html"
    action_capability = PREPARE_BILLS

    def get_bill(self):
        return self.scoped_object(Bill, queryset=Bill.objects.select_related("customer"))

    def render(self, bill, form):
        # The period and reactive energies only where the bill priced periods or adjusted the power factor.
        extra = []
        if "time_of_use_prices_yuan_per_kwh" in bill.inputs:
            extra += [form["peak_kwh"], form["valley_kwh"]]
        if "power_factor_class" in bill.inputs:
            extra.append(form["reactive_kvarh"])
        return self.render_to_response(self.get_context_data(bill=bill, form=form, correction_extra=extra))

    def get(self, request, *args, **kwargs):
        bill = self.get_bill()
        return self.render(bill, AdjustmentForm(initial={"kind": AdjustmentKind.CORRECTION}))

    def post(self, request, *args, **kwargs):
        bill = self.get_bill()
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                adjustment = services.adjustment_prepare(
                    user=request.user,
                    bill=bill,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    inputs=form.inputs(),
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Prepared: it waits for the station head's approval."))
                return redirect(adjustment)
        return self.render(bill, form)


class AdjustmentDetailView(BillingPage, TemplateView):
    template_name = "billing/adjustment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        adjustment = self.scoped_object(
            BillAdjustment,
            queryset=BillAdjustment.objects.select_related("bill__customer", "prepared_by", "decided_by"),
        )
        cause = (adjustment.inputs or {}).get("cause")
        ctx.update(
            object=adjustment,
            adjustment=adjustment,
            bill=adjustment.bill,
            status_badge=status_badge(adjustment),
            cause=METER_ERROR_CAUSE_LABELS.get(cause, "") if cause else "",
            items=_items(adjustment.calculation),
            warnings=(adjustment.calculation or {}).get("warnings", []),
            events=_events(adjustment),
            pending=adjustment.status == ChangeStatus.PENDING,
            can_approve=has_capability(user, APPROVE_STATION),
            is_preparer=user.pk == adjustment.prepared_by_id,
            can_withdraw=adjustment.status == ChangeStatus.PENDING and user.pk == adjustment.prepared_by_id,
            withdraw_form=WithdrawForm(),
            decision_form=DecisionForm(),
        )
        return ctx


class AdjustmentWithdrawView(ActionView):
    model = BillAdjustment
    action_capability = PREPARE_BILLS

    def run(self, request, adjustment):
        data = self.form(WithdrawForm)
        services.adjustment_withdraw(user=request.user, adjustment=adjustment, reason=data["reason"])
        messages.success(request, _("Refund or back-bill withdrawn."))


class AdjustmentDecideView(ActionView):
    model = BillAdjustment
    action_capability = APPROVE_STATION

    def run(self, request, adjustment):
        data = self.form(DecisionForm)
        services.adjustment_decide(
            user=request.user,
            adjustment=adjustment,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        messages.success(request, _("Decision recorded."))


# ------------------------------------------------------------------------------- category changes
def _tariff_choices() -> list[tuple[str, str]]:
    seen = {}
    for code, name in Tariff.objects.order_by("code", "-effective_from").values_list("code", "name"):
        seen.setdefault(code, f"{code} {name}")
    return [("", "—"), *seen.items()]


class CategoryChangeListView(ScopedListView):
    model = CategoryChange
    filterset_class = CategoryChangeFilterSet
    table_class = CategoryChangeTable
    title = gettext_lazy("Category changes")
    search_placeholder = gettext_lazy("Account number or customer name")
    template_name = "billing/category_change_list.html"
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        return CategoryChange.objects.select_related("customer", "applied_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_prepare"] = has_capability(self.request.user, PREPARE_BILLS)
        return ctx


class CategoryChangeCreateView(BillingPage, TemplateView):
    template_name = "billing/category_change_form.html"
    action_capability = PREPARE_BILLS

    def get_form(self):
        initial = {}
        customer_id = self.request.GET.get("customer", "")
        if customer_id.isdigit():
            customer = scoped(Customer, self.request.user).filter(pk=int(customer_id)).first()
            if customer is not None:
                initial["customer_account"] = customer.account_number
        return CategoryChangeForm(self.request.POST or None, initial=initial, tariffs=_tariff_choices())

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            customer = (
                scoped(Customer, request.user).filter(account_number=data["customer_account"].strip()).first()
            )
            if customer is None:
                form.add_error("customer_account", _("No customer with this account number in your scope."))
            else:
                try:
                    change = services.category_change_apply(
                        user=request.user,
                        customer=customer,
                        new_tariff_code=data["new_tariff_code"],
                        effective_on=data["effective_on"],
                        reason=data["reason"],
                    )
                except (PermissionDenied, ValidationError) as error:
                    _refused(form, error)
                else:
                    messages.success(request, _("Application entered: the billing checker checks it next."))
                    return redirect(change)
        return self.render_to_response(self.get_context_data(form=form))


class CategoryChangeDetailView(BillingPage, TemplateView):
    template_name = "billing/category_change_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        change = self.scoped_object(
            CategoryChange,
            queryset=CategoryChange.objects.select_related(
                "customer", "applied_by", "checked_by", "decided_by"
            ),
        )
        names = dict(_tariff_choices())
        ctx.update(
            object=change,
            change=change,
            status_badge=status_badge(change),
            old_tariff=names.get(change.old_tariff_code, change.old_tariff_code),
            new_tariff=names.get(change.new_tariff_code, change.new_tariff_code),
            events=_events(change),
            can_check=change.status == ChangeStatus.PENDING and has_capability(user, CHECK_BILLS),
            can_decide=change.status == ChangeStatus.CHECKED and has_capability(user, APPROVE_STATION),
            can_withdraw=change.status in (ChangeStatus.PENDING, ChangeStatus.CHECKED)
            and user.pk == change.applied_by_id,
            withdraw_form=WithdrawForm(),
            note_form=NoteForm(),
            decision_form=DecisionForm(),
        )
        return ctx


class CategoryChangeWithdrawView(ActionView):
    model = CategoryChange
    action_capability = PREPARE_BILLS

    def run(self, request, change):
        data = self.form(WithdrawForm)
        services.category_change_withdraw(user=request.user, change=change, reason=data["reason"])
        messages.success(request, _("Application withdrawn."))


class CategoryChangeCheckView(ActionView):
    model = CategoryChange
    action_capability = CHECK_BILLS

    def run(self, request, change):
        data = self.form(NoteForm)
        services.category_change_check(user=request.user, change=change, comment=data["note"])
        messages.success(request, _("Application checked: it waits for the station head's approval."))


class CategoryChangeDecideView(ActionView):
    model = CategoryChange
    action_capability = APPROVE_STATION

    def run(self, request, change):
        data = self.form(DecisionForm)
        services.category_change_decide(
            user=request.user, change=change, approve=data["decision"] == "approve", comment=data["comment"]
        )
        messages.success(request, _("Decision recorded."))


# ------------------------------------------------------------------------------------------ anomalies
class AnomalyListView(ScopedListView):
    model = ReaderAnomaly
    filterset_class = AnomalyFilterSet
    table_class = AnomalyTable
    title = gettext_lazy("Reading anomalies")
    search_placeholder = gettext_lazy("Account number or customer name")
    hidden_filters = ("meter",)
    required_capability = VIEW_BILLING

    def get_base_queryset(self):
        return ReaderAnomaly.objects.select_related("customer", "meter", "reported_by")


class AnomalyDetailView(BillingPage, TemplateView):
    template_name = "billing/anomaly_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        anomaly = self.scoped_object(
            ReaderAnomaly, queryset=ReaderAnomaly.objects.select_related("customer", "meter", "cycle__book")
        )
        order = None
        if anomaly.work_order_id_ref:
            from gridcheck.inspections.models import WorkOrder

            order = WorkOrder.objects.filter(pk=anomaly.work_order_id_ref).first()
        others = (
            scoped(ReaderAnomaly, self.request.user).filter(meter_id=anomaly.meter_id).exclude(pk=anomaly.pk)
        )
        ctx.update(
            object=anomaly,
            anomaly=anomaly,
            status_badge=status_badge(anomaly),
            work_order=order,
            events=_events(anomaly),
            others=[(a, status_badge(a)) for a in others[:20]],
            can_act=has_capability(self.request.user, PREPARE_BILLS)
            and anomaly.status != AnomalyStatus.RESOLVED,
            resolve_form=ResolveForm(),
        )
        return ctx


class AnomalyWorkOrderView(ActionView):
    model = ReaderAnomaly
    action_capability = PREPARE_BILLS

    def run(self, request, anomaly):
        services.anomaly_open_work_order(user=request.user, anomaly=anomaly)
        messages.success(request, _("Work order opened."))

    def next_url(self, obj):
        return reverse("billing:anomaly_detail", args=[obj.pk])


class AnomalyResolveView(ActionView):
    model = ReaderAnomaly
    action_capability = PREPARE_BILLS

    def run(self, request, anomaly):
        data = self.form(ResolveForm)
        services.anomaly_resolve(user=request.user, anomaly=anomaly, outcome=data["outcome"])
        messages.success(request, _("Anomaly resolved."))

    def next_url(self, obj):
        return reverse("billing:anomaly_detail", args=[obj.pk])


class ReadingPhotoView(BillingPage, View):
    """The photo of a meter's display taken with a reading: served as an attachment, within scope."""

    def get(self, request, pk):
        reading = get_object_or_404(scoped(MeterReading, request.user), pk=pk)
        if not reading.photo:
            raise Http404
        name = reading.photo.name.rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return upload_response(reading.photo, content_type=content_type, download_name=name)


class BillingTermsView(BillingPage, TemplateView):
    """A customer's billing terms (计费约定): basic charge by capacity or demand, low-side metering,
    mixed-use shares; with their change history."""

    template_name = "billing/terms_form.html"
    action_capability = PREPARE_BILLS

    def _customer(self):
        return get_object_or_404(scoped(Customer, self.request.user), pk=self.kwargs["pk"])

    def _form(self, customer):
        terms = BillingTerms.objects.filter(customer=customer).first()
        return BillingTermsForm(self.request.POST or None, instance=terms, tariffs=_tariff_choices()), terms

    def _render(self, customer, form, terms):
        return self.render_to_response(
            self.get_context_data(
                customer=customer,
                form=form,
                history=history_entries(terms) if terms is not None else [],
            )
        )

    def get(self, request, pk):
        customer = self._customer()
        form, terms = self._form(customer)
        return self._render(customer, form, terms)

    def post(self, request, pk):
        customer = self._customer()
        form, terms = self._form(customer)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.billing_terms_save(user=request.user, customer=customer, **fields)
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Billing terms saved: the next bill run applies them."))
                return redirect("billing:billing_terms", pk=customer.pk)
        return self._render(customer, form, terms)
