"""Pages of dunning (催费) and disconnection for arrears (欠费停电).

Scoping: an object outside the user's station (or areas) is a 404. Reading needs ``view_collection``
(``AccessMiddleware``); each action shows only to those who may use it and the services check again
(the proposer never approves, the county approves an important customer): their refusals are shown as
messages or form errors, never as an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from gridcheck.archive.models import Customer, Station
from gridcheck.collection.choices import DisconnectionStatus, DunningChannel, DunningStatus
from gridcheck.collection.filtersets_dunning import DisconnectionFilterSet, DunningNoticeFilterSet
from gridcheck.collection.forms_dunning import (
    DecisionForm,
    DeliveryForm,
    IssueDueForm,
    IssueForm,
    NoteForm,
    ProposeForm,
)
from gridcheck.collection.models import Disconnection, DunningNotice
from gridcheck.collection.notices import disconnection_notice_pdf, dunning_notice_pdf
from gridcheck.collection.selectors import dunning as selectors
from gridcheck.collection.services import disconnections as disconnection_services
from gridcheck.collection.services import dunning as dunning_services
from gridcheck.collection.services.common import local_day
from gridcheck.collection.tables_dunning import DisconnectionTable, DueTable, DunningNoticeTable
from gridcheck.core.generic import (
    ScopedListView,
    ScopedPage,
    StepView,
)
from gridcheck.core.roles import (
    APPROVE_COUNTY,
    APPROVE_STATION,
    COLLECT,
    MANAGE_COLLECTION,
    VIEW_COLLECTION,
    has_capability,
    is_county_level,
)
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset, scoped

#: Rows of the due list on one page.
DUE_PAGE_SIZE = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {
    "DunningNotice": dict(DunningStatus.choices),
    "Disconnection": dict(DisconnectionStatus.choices),
}


# ----------------------------------------------------------------------------------------- helpers
def may_issue(user) -> bool:
    return has_capability(user, MANAGE_COLLECTION) or has_capability(user, COLLECT)


def _events(subject) -> list[dict]:
    labels = STATUS_LABELS[type(subject).__name__]
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


def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def _xlsx(title: str, header: list[str], rows) -> bytes:
    """A one-sheet workbook; text that a spreadsheet would read as a formula stays text."""
    import io
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from gridcheck.core.exports import FORMULA_TRIGGERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _day(moment) -> str:
    return f"{timezone.localdate(moment):%Y-%m-%d}" if moment else ""


class CollectionPage(ScopedPage):
    required_capability = VIEW_COLLECTION


class ActionView(CollectionPage, StepView):
    """POST one step of dunning or disconnection (``StepView``)."""


# -------------------------------------------------------------------------------- dunning notices
class DunningListView(ScopedListView):
    model = DunningNotice
    filterset_class = DunningNoticeFilterSet
    table_class = DunningNoticeTable
    title = gettext_lazy("Dunning notices")
    search_placeholder = gettext_lazy("Notice number, account number or customer name")
    template_name = "collection/dunning/notice_list.html"
    hidden_filters = ("customer",)
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return DunningNotice.objects.select_related("customer", "area")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_queryset())
            queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            header = [
                "通知单号", "发出日期", "户号", "户名", "台区", "催费次数", "方式",
                "欠费（元）", "违约金（元）", "限缴日期", "状态", "送达人", "送达时间", "送达记录",
            ]  # fmt: skip
            rows = (
                [
                    n.number,
                    _day(n.created_at),
                    n.customer.account_number,
                    n.customer.name,
                    n.area.name,
                    n.sequence,
                    n.get_channel_display(),
                    n.arrears_yuan,
                    n.late_fee_yuan,
                    f"{n.pay_by:%Y-%m-%d}",
                    n.get_status_display(),
                    str(n.delivered_by or ""),
                    _day(n.delivered_at),
                    n.delivery_note,
                ]  # fmt: skip
                for n in queryset.select_related("delivered_by").iterator(chunk_size=2000)
            )
            name = f"dunning-notices-{local_day():%Y%m%d}.xlsx"
            return _download(_xlsx("催费通知", header, rows), name, XLSX_CONTENT_TYPE)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_issue"] = may_issue(self.request.user)
        return ctx


def _station_choices(user):
    return scoped(Station, user).order_by("code")


class DunningDueView(CollectionPage, TemplateView):
    """The notices the schedule says are due today, per station; POST issues them all."""

    template_name = "collection/dunning/due.html"

    def station(self):
        stations = _station_choices(self.request.user)
        wanted = self.request.GET.get("station") or self.request.POST.get("station")
        if wanted and wanted.isdigit():
            return stations.filter(pk=int(wanted)).first()
        if self.request.user.station_id:
            return stations.filter(pk=self.request.user.station_id).first()
        return stations.first()

    def render(self, form, result=None):
        station = self.station()
        today = local_day()
        rows = selectors.dunning_due(station, today) if station else Customer.objects.none()
        rows = scope_queryset(rows, self.request.user)
        table = DueTable(rows)
        RequestConfig(self.request, paginate={"per_page": DUE_PAGE_SIZE}).configure(table)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                station=station,
                stations=_station_choices(self.request.user),
                table=table,
                rows=rows,
                count=rows.count(),
                today=today,
                result=result,
                can_issue=may_issue(self.request.user),
                can_propose=has_capability(self.request.user, MANAGE_COLLECTION),
                first_after=rule_int("collection.dunning_first_after_days", today),
                repeat=rule_int("collection.dunning_repeat_days", today),
            )
        )

    def get(self, request, *args, **kwargs):
        station = self.station()
        form = IssueDueForm(stations=_station_choices(request.user), initial={"station": station})
        return self.render(form)

    def post(self, request, *args, **kwargs):
        if not may_issue(request.user):
            raise PermissionDenied
        form = IssueDueForm(request.POST, stations=_station_choices(request.user))
        if form.is_valid():
            try:
                result = dunning_services.dunning_issue_due(
                    user=request.user,
                    station=form.cleaned_data["station"],
                    channel=form.cleaned_data["channel"] or None,
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("%(n)s dunning notices issued.") % {"n": len(result["issued"])})
                for text in result["errors"]:
                    messages.warning(request, text)
                url = reverse("collection:dunning_list")
                return redirect(f"{url}?station={form.cleaned_data['station'].pk}")
        return self.render(form)


class DunningIssueView(CollectionPage, TemplateView):
    """One notice to one customer, with what it will say."""

    template_name = "collection/dunning/issue_form.html"
    action_capabilities = (MANAGE_COLLECTION, COLLECT)

    def render(self, customer, form):
        today = local_day()
        receivables = list(selectors.overdue_receivables(customer, today))
        principal, fee = selectors.arrears_of(receivables)
        return self.render_to_response(
            self.get_context_data(
                customer=customer,
                form=form,
                receivables=receivables,
                arrears_yuan=principal,
                late_fee_yuan=fee,
                previous=DunningNotice.objects.filter(customer=customer).order_by("-created_at")[:10],
            )
        )

    def get(self, request, *args, **kwargs):
        customer = self.scoped_object(Customer)
        channel = DunningChannel.SMS if (customer.phone or "").strip() else DunningChannel.PAPER
        return self.render(customer, IssueForm(initial={"channel": channel}))

    def post(self, request, *args, **kwargs):
        customer = self.scoped_object(Customer)
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                notice = dunning_services.dunning_issue(
                    user=request.user, customer=customer, channel=form.cleaned_data["channel"]
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Dunning notice %(number)s issued.") % {"number": notice.number})
                return redirect(notice)
        return self.render(customer, form)


class DunningDetailView(CollectionPage, TemplateView):
    template_name = "collection/dunning/notice_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        notice = self.scoped_object(
            DunningNotice,
            queryset=DunningNotice.objects.select_related(
                "customer", "area", "station", "issued_by", "delivered_by"
            ),
        )
        deliverable = notice.channel == DunningChannel.PAPER and notice.status == DunningStatus.ISSUED
        ctx.update(
            notice=notice,
            object=notice,
            customer=notice.customer,
            receivables=notice.receivables.select_related("bill").order_by("due_date", "pk"),
            total_yuan=notice.arrears_yuan + notice.late_fee_yuan,
            events=_events(notice),
            can_deliver=deliverable
            and has_capability(user, COLLECT)
            and dunning_services.may_deliver(user, notice),
            deliverable=deliverable,
            delivery_form=DeliveryForm(),
            can_issue=may_issue(user),
            can_propose=has_capability(user, MANAGE_COLLECTION)
            and notice.status != DunningStatus.SETTLED
            and selectors.open_disconnection(notice.customer) is None,
            disconnection=selectors.open_disconnection(notice.customer),
        )
        return ctx


class DunningPdfView(CollectionPage, View):
    def get(self, request, pk):
        notice = self.scoped_object(DunningNotice)
        return _download(
            dunning_notice_pdf(notice), f"dunning-{notice.number}.pdf", "application/pdf", inline=True
        )


class DunningDeliverView(ActionView):
    model = DunningNotice
    action_capabilities = (COLLECT,)

    def run(self, request, notice):
        data = self.form(DeliveryForm)
        dunning_services.dunning_deliver(user=request.user, notice=notice, note=data["note"])
        messages.success(request, _("Delivery of notice %(number)s recorded.") % {"number": notice.number})


# ---------------------------------------------------------------------------- disconnections
class DisconnectionListView(ScopedListView):
    model = Disconnection
    filterset_class = DisconnectionFilterSet
    table_class = DisconnectionTable
    title = gettext_lazy("Disconnections for arrears")
    search_placeholder = gettext_lazy("Number, account number or customer name")
    template_name = "collection/dunning/disconnection_list.html"
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return Disconnection.objects.select_related("customer", "area")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_queryset())
            queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            header = [
                "编号", "提出日期", "户号", "户名", "台区", "欠费（元）", "需县公司审批", "状态", "提出人",
                "供电所审批人", "县公司审批人", "通知送达日", "最早停电日", "停电工单", "停电时间", "复电工单", "复电时间",
            ]  # fmt: skip
            rows = (
                [
                    d.number,
                    _day(d.created_at),
                    d.customer.account_number,
                    d.customer.name,
                    d.area.name,
                    d.arrears_yuan,
                    "是" if d.needs_county else "否",
                    d.get_status_display(),
                    str(d.proposed_by or ""),
                    str(d.approved_by or ""),
                    str(d.county_approved_by or ""),
                    f"{d.notice_served_on:%Y-%m-%d}" if d.notice_served_on else "",
                    f"{d.cut_not_before:%Y-%m-%d}" if d.cut_not_before else "",
                    d.work_order.number if d.work_order_id else "",
                    _day(d.executed_at),
                    d.reconnect_work_order.number if d.reconnect_work_order_id else "",
                    _day(d.reconnected_at),
                ]  # fmt: skip
                for d in queryset.select_related(
                    "proposed_by", "approved_by", "county_approved_by", "work_order", "reconnect_work_order"
                ).iterator(chunk_size=2000)
            )
            name = f"disconnections-{local_day():%Y%m%d}.xlsx"
            return _download(_xlsx("欠费停电", header, rows), name, XLSX_CONTENT_TYPE)
        return super().get(request, *args, **kwargs)


class DisconnectionProposeView(CollectionPage, TemplateView):
    template_name = "collection/dunning/propose_form.html"
    action_capabilities = (MANAGE_COLLECTION,)

    def render(self, customer, form):
        receivables = list(selectors.open_receivables(customer).prefetch_related("dunning_notices"))
        principal, fee = selectors.arrears_of(receivables)
        today = local_day()
        rows = [
            {
                "receivable": r,
                "days": max((today - r.due_date).days, 0),
                "notices": len(r.dunning_notices.all()),
            }
            for r in receivables
        ]
        return self.render_to_response(
            self.get_context_data(
                customer=customer,
                form=form,
                rows=rows,
                arrears_yuan=principal,
                late_fee_yuan=fee,
                min_days=rule_int("collection.disconnection_min_overdue_days", today),
                min_notices=rule_int("collection.disconnection_min_notices", today),
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render(self.scoped_object(Customer), ProposeForm())

    def post(self, request, *args, **kwargs):
        customer = self.scoped_object(Customer)
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                disconnection = disconnection_services.disconnection_propose(
                    user=request.user, customer=customer, reason=form.cleaned_data["reason"]
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Proposed: it waits for the station head's approval."))
                return redirect(disconnection)
        return self.render(customer, form)


class DisconnectionDetailView(CollectionPage, TemplateView):
    template_name = "collection/dunning/disconnection_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        d = self.scoped_object(
            Disconnection,
            queryset=Disconnection.objects.select_related(
                "customer",
                "area",
                "station",
                "proposed_by",
                "approved_by",
                "county_approved_by",
                "executed_by",
                "reconnected_by",
                "work_order",
                "reconnect_work_order",
            ),
        )
        today = local_day()
        station_step = d.status == DisconnectionStatus.PROPOSED
        county_step = d.status == DisconnectionStatus.COUNTY_PENDING
        manage = has_capability(user, MANAGE_COLLECTION)
        ctx.update(
            disconnection=d,
            object=d,
            customer=d.customer,
            receivables=selectors.open_receivables(d.customer).select_related("bill"),
            notices=DunningNotice.objects.filter(customer=d.customer).order_by("-created_at")[:10],
            events=_events(d),
            is_proposer=user.pk == d.proposed_by_id,
            can_decide_station=station_step and has_capability(user, APPROVE_STATION),
            can_decide_county=county_step
            and has_capability(user, APPROVE_COUNTY)
            and (is_county_level(user) or user.is_superuser),
            county_waiting=county_step,
            can_order=manage and d.status == DisconnectionStatus.APPROVED and not d.work_order_id,
            order_too_early=bool(d.cut_not_before and today < d.cut_not_before),
            can_execute=manage and d.status == DisconnectionStatus.APPROVED and bool(d.work_order_id),
            can_reconnected=manage and d.status == DisconnectionStatus.RECONNECT_ORDERED,
            has_notice=d.notice_served_on is not None,
            decision_form=DecisionForm(),
            note_form=NoteForm(),
        )
        return ctx


class DisconnectionPdfView(CollectionPage, View):
    def get(self, request, pk):
        d = self.scoped_object(Disconnection)
        if d.notice_served_on is None:
            messages.error(request, _("The disconnection notice is served on the final approval."))
            return redirect(d)
        return _download(
            disconnection_notice_pdf(d), f"disconnection-{d.number}.pdf", "application/pdf", inline=True
        )


class DisconnectionDecideView(ActionView):
    model = Disconnection
    action_capabilities = (APPROVE_STATION, APPROVE_COUNTY)

    def run(self, request, disconnection):
        data = self.form(DecisionForm)
        result = disconnection_services.disconnection_approve(
            user=request.user,
            disconnection=disconnection,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        if result.status == DisconnectionStatus.CANCELLED:
            messages.warning(request, _("The arrears were paid meanwhile: the proposal is cancelled."))
        elif result.status == DisconnectionStatus.COUNTY_PENDING:
            messages.success(request, _("Approved by the station: it now waits for the county's approval."))
        elif result.status == DisconnectionStatus.APPROVED:
            messages.success(
                request,
                _("Approved: the disconnection notice is served; not cut before %(date)s.")
                % {"date": f"{result.cut_not_before:%Y-%m-%d}"},
            )
        else:
            messages.success(request, _("Decision recorded."))


class DisconnectionOrderView(ActionView):
    model = Disconnection
    action_capabilities = (MANAGE_COLLECTION,)

    def run(self, request, disconnection):
        result = disconnection_services.disconnection_order(user=request.user, disconnection=disconnection)
        if result.status == DisconnectionStatus.CANCELLED:
            messages.warning(request, _("The arrears were paid meanwhile: the proposal is cancelled."))
        else:
            messages.success(
                request, _("Work order %(number)s opened.") % {"number": result.work_order.number}
            )


class DisconnectionExecuteView(ActionView):
    model = Disconnection
    action_capabilities = (MANAGE_COLLECTION,)

    def run(self, request, disconnection):
        data = self.form(NoteForm)
        result = disconnection_services.disconnection_execute(
            user=request.user, disconnection=disconnection, note=data["note"]
        )
        if result.status == DisconnectionStatus.CANCELLED:
            messages.warning(request, _("The arrears were paid meanwhile: the proposal is cancelled."))
        else:
            messages.success(request, _("Disconnection recorded."))


class DisconnectionReconnectedView(ActionView):
    model = Disconnection
    action_capabilities = (MANAGE_COLLECTION,)

    def run(self, request, disconnection):
        data = self.form(NoteForm)
        disconnection_services.disconnection_reconnected(
            user=request.user, disconnection=disconnection, note=data["note"]
        )
        messages.success(request, _("Reconnection recorded."))
