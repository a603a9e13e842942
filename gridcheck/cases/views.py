"""Pages of the cases app: list, create, detail with the itemised calculation, the actions, the PDFs.

Scoping: a case outside the user's station (or areas) is a 404. Reading needs ``view``; the actions need
a case-handling role (``selectors.can_handle_cases``) or, for approvals, the approver's role; the services
check again and refuse what the rules forbid (self-approval, missing signature, the three answers).
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.cases import calc_settings, pdf, selectors, services
from gridcheck.cases.choices import ApprovalLevel, CaseKind, CaseStatus
from gridcheck.cases.filtersets import CaseFilterSet
from gridcheck.cases.forms import (
    ApprovalForm,
    CancelForm,
    CaseForm,
    CloseForm,
    LegalStepForm,
    NotifyForm,
    PaymentForm,
    SettlementForm,
    WriteOffForm,
)
from gridcheck.cases.models import Case
from gridcheck.cases.tables import CaseTable, status_badge
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, error_messages, history_entries
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import upload_response


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _history(case):
    """The change records of a case, without the bulky JSON of the inputs and the calculation."""
    bulky = {str(Case._meta.get_field(name).verbose_name) for name in ("calculation", "inputs")}
    entries = history_entries(case)
    for entry in entries:
        entry["changes"] = [c for c in entry["changes"] if str(c["field"]) not in bulky]
    return entries


class CaseListView(ScopedListView):
    model = Case
    filterset_class = CaseFilterSet
    table_class = CaseTable
    title = gettext_lazy("Theft and violation cases")
    search_placeholder = gettext_lazy("Case number, account number or customer name")
    template_name = "cases/case_list.html"

    def get_queryset(self):
        return selectors.cases_for(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_handle"] = selectors.can_handle_cases(self.request.user)
        return ctx


class CaseCreateView(CapabilityRequiredMixin, TemplateView):
    template_name = "cases/case_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_handle_cases(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        initial = {"case_date": timezone.localdate(), "kind": CaseKind.THEFT}
        customer_id = self.request.GET.get("customer", "")
        if customer_id.isdigit():
            customer = scope_queryset(Customer.objects.filter(pk=customer_id), self.request.user).first()
            if customer:
                initial["customer_account"] = customer.account_number
                initial["capacity_voltage_v"] = services.archive_capacity_voltage(
                    customer, selectors.customer_meter(customer)
                )
        visit = self.get_visit(self.request.GET.get("visit", ""))
        if visit is not None:
            # Opened from a visit's finding: ?visit=<id>&finding=<index>.
            initial.update(
                visit_id=visit.pk,
                visit_ref=services.visit_reference(visit),
                customer_account=visit.work_order.customer.account_number,
                case_date=services.visit_case_date(visit),
            )
            index = self.request.GET.get("finding", "")
            try:
                finding = services.visit_finding(visit, int(index))
            except (ValueError, ValidationError):
                pass
            else:
                initial.update(
                    finding=int(index), kind=finding["kind"], facts=str(finding.get("description", ""))
                )
        return CaseForm(self.request.POST or None, initial=initial)

    def get_visit(self, visit_id):
        from gridcheck.inspections.models import Visit

        if not str(visit_id).isdigit():
            return None
        visits = scope_queryset(Visit.objects.select_related("work_order__customer"), self.request.user)
        return visits.filter(pk=int(visit_id)).first()

    def create_from_visit(self, form, visit, customer):
        """A case from a finding of ``visit`` (``services.case_create_from_visit``), as the desk corrected it."""
        if customer.pk != visit.work_order.customer_id:
            raise ValidationError(
                {"customer_account": _("A case from a visit's finding is against the visited customer.")}
            )
        data = form.cleaned_data
        return services.case_create_from_visit(
            visit=visit,
            finding_index=data["finding"],
            created_by=self.request.user,
            kind=data["kind"],
            theft_type=data["theft_type"],
            violation_type=data["violation_type"],
            inputs=form.inputs(),
            case_date=data["case_date"],
            facts=data["facts"],
            calc_settings=form.calc_settings(),
            capacity_voltage_v=data.get("capacity_voltage_v"),
            capacity_reason=data.get("capacity_reason", ""),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            customer = scope_queryset(
                Customer.objects.filter(account_number=data["customer_account"].strip()), request.user
            ).first()
            if customer is None:
                form.add_error("customer_account", _("No customer with this account number in your scope."))
            else:
                visit = self.get_visit(data.get("visit_id") or "")
                try:
                    if visit is not None and data.get("finding") is not None:
                        case = self.create_from_visit(form, visit, customer)
                    else:
                        case = services.case_create(
                            customer=customer,
                            kind=data["kind"],
                            theft_type=data["theft_type"],
                            violation_type=data["violation_type"],
                            case_date=data["case_date"],
                            inputs=form.inputs(),
                            facts=data["facts"],
                            visit_ref=data["visit_ref"],
                            visit=visit,
                            created_by=request.user,
                            calc_settings=form.calc_settings(),
                            capacity_voltage_v=data.get("capacity_voltage_v"),
                            capacity_reason=data.get("capacity_reason", ""),
                        )
                except ValidationError as error:
                    _form_errors(form, error)
                else:
                    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                    return redirect(case)
        return self.render_to_response(self.get_context_data(form=form))


class CaseMixin(CapabilityRequiredMixin):
    def get_case(self):
        return get_object_or_404(selectors.cases_for(self.request.user), pk=self.kwargs["pk"])


class CaseDetailView(CaseMixin, TemplateView):
    template_name = "cases/case_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case = self.get_case()
        user = self.request.user
        can_handle = selectors.can_handle_cases(user)
        level = selectors.next_approval_level(case)
        billed, recorded = pdf.notice_items(case)
        paid = selectors.paid_yuan(case)
        today = timezone.localdate()
        ctx.update(
            object=case,
            case=case,
            status_badge=status_badge(case),
            tariff_name=selectors.tariff_name(case),
            items=billed,
            recorded=recorded,
            flags=case.calculation.get("flags", []),
            warnings=case.calculation.get("warnings", []),
            rules=case.calculation.get("rules", []),
            events=case.events.select_related("actor"),
            approvals=case.approvals.select_related("approver"),
            payments=case.payments.select_related("recorded_by"),
            paid_yuan=paid,
            outstanding_yuan=services.outstanding_yuan(case) if case.amount_due_yuan is not None else None,
            checklist=services.closure_checklist(case),
            chosen_settings=calc_settings.describe(case.calc_settings),
            settings_used=case.calculation.get("settings", []),
            editable=case.status in services.EDITABLE,
            cancellable=case.status in services.CANCELLABLE and not case.payments.exists(),
            can_approve_write_off=(
                case.write_off_yuan is not None
                and case.write_off_approved_at is None
                and selectors.can_approve_write_off(user, case)
            ),
            unverified_citations=pdf.unverified_citations(case),
            history=_history(case),
            can_handle=can_handle,
            approval_level=level,
            approval_level_label=ApprovalLevel(level).label if level else "",
            can_approve=bool(level) and selectors.can_approve(user, case, level),
            is_creator=user.pk == case.created_by_id,
            threshold=selectors.approval_threshold_yuan(case.case_date),
            notify_form=kwargs.get("notify_form")
            or NotifyForm(initial={"notified_on": today, "signed": "yes"}),
            approval_form=kwargs.get("approval_form") or ApprovalForm(),
            payment_form=kwargs.get("payment_form")
            or PaymentForm(initial={"paid_on": today, "amount_yuan": ctx.get("outstanding_yuan")}),
            close_form=kwargs.get("close_form") or CloseForm(),
            cancel_form=kwargs.get("cancel_form") or CancelForm(),
            settle_form=kwargs.get("settle_form")
            or SettlementForm(initial={"settled_on": today, "kind": "negotiated"}),
            write_off_form=kwargs.get("write_off_form")
            or WriteOffForm(initial={"amount_yuan": ctx.get("outstanding_yuan")}),
            legal_form=kwargs.get("legal_form") or LegalStepForm(initial={"transfer_on": today}),
            statuses=CaseStatus,
        )
        if ctx["payment_form"].initial.get("amount_yuan") is None and ctx["outstanding_yuan"] is not None:
            ctx["payment_form"].initial["amount_yuan"] = ctx["outstanding_yuan"]
        return ctx


class CaseActionView(CaseMixin, View):
    """POST one step of the case: compute, notify, submit, approve, pay, close."""

    action = None

    def post(self, request, pk):
        case = self.get_case()
        self._form = None
        try:
            self.run(request, case)
        except PermissionDenied as error:
            error_messages(request, error)
        except ValidationError as error:
            form = self._form
            if form is None:
                error_messages(request, error)
            else:
                if form.is_valid():  # the service refused: show its reasons on the form
                    _form_errors(form, error)
                messages.error(request, _("Check the form."))
                detail = CaseDetailView()
                detail.setup(request, pk=pk)
                return detail.render_to_response(detail.get_context_data(**{f"{self.action}_form": form}))
        return redirect("cases:case_detail", pk=case.pk)

    def bound(self, form_class, request):
        self._form = form_class(request.POST, request.FILES)
        if not self._form.is_valid():
            raise ValidationError(_("Check the form."))
        return self._form


class CaseComputeView(CaseActionView):
    action = "compute"

    def run(self, request, case):
        case = services.case_compute(case=case, user=request.user)
        messages.success(
            request, _("Computed: %(total)s yuan due.") % {"total": f"{case.total_due_yuan:,.2f}"}
        )


class CaseNotifyView(CaseActionView):
    action = "notify"

    def run(self, request, case):
        data = self.bound(NotifyForm, request).cleaned_data
        services.case_notify(
            case=case,
            signed_by_customer=data["signed"],
            signer_name=data["signer_name"],
            refusal_note=data["refusal_note"],
            notified_on=data["notified_on"],
            user=request.user,
        )
        messages.success(request, _("The customer's answer to the notice is recorded."))


class CaseSubmitView(CaseActionView):
    action = "submit"

    def run(self, request, case):
        services.case_submit_for_approval(case=case, user=request.user)
        messages.success(request, _("Submitted for approval."))


class CaseApproveView(CaseActionView):
    action = "approval"

    def run(self, request, case):
        data = self.bound(ApprovalForm, request).cleaned_data
        level = selectors.next_approval_level(case)
        if level is None:
            raise ValidationError(_("The case needs no approval now."))
        services.case_approve(
            case=case, user=request.user, level=level, decision=data["decision"], comment=data["comment"]
        )
        messages.success(request, _("Decision recorded."))


class CasePaymentView(CaseActionView):
    action = "payment"

    def run(self, request, case):
        data = self.bound(PaymentForm, request).cleaned_data
        services.case_payment_record(
            case=case,
            amount_yuan=data["amount_yuan"],
            paid_on=data["paid_on"],
            receipt_number=data["receipt_number"],
            user=request.user,
        )
        messages.success(request, _("Payment recorded."))


class CaseCloseView(CaseActionView):
    action = "close"

    def run(self, request, case):
        data = self.bound(CloseForm, request).cleaned_data
        services.case_close(case=case, user=request.user, **data)
        messages.success(request, _("Case closed. It is now a label for detection."))


class CaseCancelView(CaseActionView):
    action = "cancel"

    def run(self, request, case):
        data = self.bound(CancelForm, request).cleaned_data
        services.case_cancel(case=case, user=request.user, reason=data["reason"])
        messages.success(request, _("Case cancelled."))


class CaseSettleView(CaseActionView):
    action = "settle"

    def run(self, request, case):
        data = self.bound(SettlementForm, request).cleaned_data
        services.case_settle(
            case=case,
            user=request.user,
            amount_yuan=data["amount_yuan"],
            kind=data["kind"],
            settled_on=data["settled_on"],
            reference=data["reference"],
            document=data["document"],
        )
        messages.success(request, _("Settled amount recorded."))


class CaseWriteOffView(CaseActionView):
    action = "write_off"

    def run(self, request, case):
        data = self.bound(WriteOffForm, request).cleaned_data
        services.case_write_off_request(
            case=case, user=request.user, amount_yuan=data["amount_yuan"], reason=data["reason"]
        )
        messages.success(request, _("Write-off requested: a county approver decides."))


class CaseWriteOffApproveView(CaseActionView):
    action = "write_off_approve"

    def run(self, request, case):
        services.case_write_off_approve(case=case, user=request.user)
        messages.success(request, _("Write-off approved."))


class CaseLegalView(CaseActionView):
    action = "legal"

    def run(self, request, case):
        data = self.bound(LegalStepForm, request).cleaned_data
        services.case_legal_record(
            case=case,
            user=request.user,
            step=data["step"],
            transfer_on=data["transfer_on"],
            reference=data["reference"],
            receipt=data["receipt"],
            reason=data["reason"],
        )
        messages.success(request, _("Legal step recorded."))


class CaseEditView(CaseMixin, TemplateView):
    """Correct the facts and settings of a case not yet notified (a refused computation stays editable)."""

    template_name = "cases/case_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_handle_cases(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, case):
        form = CaseForm(self.request.POST or None, initial=CaseForm.initial_from_case(case), editing=True)
        form.case_kind = case.kind
        return form

    def render(self, case, form):
        return self.render_to_response(self.get_context_data(form=form, case=case, editing=True))

    def get(self, request, pk):
        case = self.get_case()
        if case.status not in services.EDITABLE:
            messages.error(request, _("Only a case not yet notified can be corrected."))
            return redirect(case)
        return self.render(case, self.get_form(case))

    def post(self, request, pk):
        case = self.get_case()
        form = self.get_form(case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_update(
                    case=case,
                    user=request.user,
                    theft_type=data.get("theft_type"),
                    violation_type=data.get("violation_type"),
                    case_date=data["case_date"],
                    inputs=form.inputs(case.kind),
                    facts=data["facts"],
                    calc_settings=form.calc_settings(
                        case.kind, data.get("violation_type") or case.violation_type
                    ),
                    capacity_voltage_v=data.get("capacity_voltage_v"),
                    capacity_reason=data.get("capacity_reason", ""),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Case corrected: compute it again."))
                return redirect(case)
        return self.render(case, form)


class CaseDocumentView(CaseMixin, View):
    """A scanned document of a case (police receipt, settlement document), as an attachment."""

    field = None

    def get(self, request, pk):
        case = self.get_case()
        stored = getattr(case, self.field)
        if not stored:
            raise Http404
        name = stored.name.rsplit("/", 1)[-1]
        lower = name.lower()
        kind = (
            "application/pdf"
            if lower.endswith(".pdf")
            else "image/png"
            if lower.endswith(".png")
            else "image/jpeg"
        )
        return upload_response(stored, content_type=kind, download_name=name)


class CaseNoticePdfView(CaseMixin, View):
    """The 窃电通知书 / 违约用电通知书 of a computed case."""

    def get(self, request, pk):
        case = self.get_case()
        if case.status == CaseStatus.DRAFT or not case.calculation:
            messages.error(request, _("Compute the case before printing its notice."))
            return redirect(case)
        response = HttpResponse(pdf.case_notice_pdf(case), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.number}-notice.pdf"'
        return response


class CasePaymentNoticePdfView(CaseMixin, View):
    """The 缴费通知单 of an approved case."""

    def get(self, request, pk):
        case = self.get_case()
        if case.status not in (CaseStatus.APPROVED, CaseStatus.PAID, CaseStatus.CLOSED):
            messages.error(request, _("The payment notice is issued once the case is approved."))
            return redirect(case)
        body = pdf.payment_notice_pdf(case, paid_yuan=selectors.paid_yuan(case))
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.number}-payment.pdf"'
        return response


class CaseLabelsView(CapabilityRequiredMixin, View):
    """The detection labels of the closed cases in the user's scope, as CSV."""

    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="case-labels.csv"'
        write_labels(response, visible_labels(request.user))
        return response


def visible_labels(user) -> list:
    """The rows of ``selectors.case_labels`` whose customer lies within ``user``'s scope."""
    rows = selectors.case_labels()
    accounts = {row[0] for row in rows}
    visible = set(
        scope_queryset(Customer.objects.filter(account_number__in=accounts), user).values_list(
            "account_number", flat=True
        )
    )
    return [row for row in rows if row[0] in visible]


def write_labels(stream, rows) -> None:
    writer = csv.writer(stream)
    writer.writerow(["account_number", "meter_asset_numbers", "label", "case_date"])
    for account, meters, label, day in rows:
        writer.writerow([account, ";".join(meters), label, day.isoformat()])
