"""The contract register's pages: the register, a contract with its clauses, agreements, events, loans
and linked cases, the forms of each step, the scans, and the customers without a contract.

Views stay thin: they collect a form and call a service; a refusal (``ValidationError``) is shown on the
form; a step the user may never take is a 403; an object outside the user's scope is a 404.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from gridcheck.archive.models import Customer
from gridcheck.cases.models import Case
from gridcheck.contracts import selectors, services
from gridcheck.contracts.choices import CLOSED_STATUSES, IN_FORCE_STATUSES, MANDATORY_CLAUSES, ContractStatus
from gridcheck.contracts.filtersets import ContractFilterSet, MissingContractFilterSet
from gridcheck.contracts.forms import (
    AgreementForm,
    ContractClausesForm,
    ContractDraftForm,
    LoanForm,
    RenewForm,
    ReturnForm,
    ScanForm,
    SignForm,
    SupersedeForm,
    TerminateForm,
)
from gridcheck.contracts.models import Contract, ContractExtension, ContractFileLoan
from gridcheck.contracts.tables import ContractTable, MissingContractTable, contract_status_badge
from gridcheck.core.generic import ScopedListView, ScopedPage, error_messages, history_entries
from gridcheck.core.roles import APPROVE_STATION, MANAGE_CONTRACTS, VIEW_CONTRACTS, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import upload_response


class ContractPage(ScopedPage):
    required_capability = VIEW_CONTRACTS


class ContractListView(ScopedListView):
    """The contract register within the user's scope: filters (status, kind, station, expiring within N
    days), sorting, XLSX export (the import's columns)."""

    required_capability = VIEW_CONTRACTS
    model = Contract
    filterset_class = ContractFilterSet
    table_class = ContractTable
    export_entity = "contracts"
    template_name = "contracts/contract_list.html"
    title = gettext_lazy("Supply contracts")
    search_placeholder = gettext_lazy("Search by contract number, account number or name")

    def get_base_queryset(self):
        return Contract.objects.select_related("customer", "station").order_by("-valid_from", "number")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_capability(self.request.user, MANAGE_CONTRACTS)
        return ctx


class ExpiringListView(ContractListView):
    """The expiry list: contracts in force that end within the reminder window (rule
    ``contracts.expiry_reminder_days``), ending soonest first."""

    title = gettext_lazy("Contracts expiring soon")

    def get_base_queryset(self):
        today = timezone.localdate()
        days = rule_int("contracts.expiry_reminder_days", on=today)
        return selectors.contracts_expiring(on=today, days=days, queryset=super().get_base_queryset())


class MissingContractListView(ScopedListView):
    """Active non-residential customers without a supply contract in force (no supply without one)."""

    required_capability = VIEW_CONTRACTS
    model = Customer
    filterset_class = MissingContractFilterSet
    table_class = MissingContractTable
    export_entity = "customers"
    template_name = "contracts/missing_list.html"
    title = gettext_lazy("Customers without a contract")
    search_placeholder = gettext_lazy("Search by account number or name")

    def get_base_queryset(self):
        return selectors.customers_without_contract(on=timezone.localdate())


def _contract(request, pk) -> Contract:
    found = scope_queryset(
        Contract.objects.select_related("customer", "customer__area", "station", "superseded_by", "replaces"),
        request.user,
    ).filter(pk=pk)
    contract = found.first()
    if contract is None:
        raise Http404(_("Not found."))
    return contract


class ContractDetailView(ContractPage, TemplateView):
    """A contract: parties, term, status, the seven clauses, agreements, extensions, file loans, breach
    cases, the status log and the change history; the steps the user may take now."""

    template_name = "contracts/contract_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        contract = _contract(self.request, self.kwargs["pk"])
        status = contract.status
        manage = has_capability(user, MANAGE_CONTRACTS)
        over_term = services.term_exceeds_limit(contract.valid_from, contract.valid_to)
        open_loan = contract.loans.filter(returned_on__isnull=True).first()
        ctx.update(
            contract=contract,
            status_badge=contract_status_badge(status, contract.get_status_display()),
            clauses=[(label, getattr(contract, name)) for name, label in MANDATORY_CLAUSES],
            missing=services.missing_clauses(contract) if status == ContractStatus.DRAFT else [],
            over_term=over_term,
            term_limit=services.term_limit(contract.valid_from),
            agreements=list(contract.agreements.all()),
            extensions=list(contract.extensions.all()),
            loans=list(contract.loans.select_related("borrower", "lent_by", "received_by")),
            open_loan=open_loan,
            cases=scope_queryset(Case.objects.filter(contract_links__contract=contract), user).order_by(
                "-case_date"
            ),
            events=list(contract.events.select_related("actor")),
            history=history_entries(contract),
            can_manage=manage,
            can_edit=manage and status == ContractStatus.DRAFT,
            can_sign=manage and status == ContractStatus.DRAFT,
            can_approve=has_capability(user, APPROVE_STATION)
            and status == ContractStatus.DRAFT
            and over_term
            and not contract.term_approved_by_id
            and contract.prepared_by_id != user.pk,
            can_renew=manage and status in IN_FORCE_STATUSES,
            can_supersede=manage and status in (ContractStatus.SIGNED, *IN_FORCE_STATUSES),
            can_terminate=manage and status not in CLOSED_STATUSES,
            can_agree=manage and status not in CLOSED_STATUSES,
            can_lend=manage and open_loan is None,
            can_scan=manage,
        )
        return ctx


class ContractFormView(ContractPage, FormView):
    """A step on a contract: a form page; the service's refusal is shown on the form."""

    action_capability = MANAGE_CONTRACTS
    template_name = "contracts/contract_form.html"
    title = ""
    done_message = gettext_lazy("Saved.")

    def dispatch(self, request, *args, **kwargs):
        self.contract = None
        return super().dispatch(request, *args, **kwargs)

    def get_contract(self) -> Contract:
        if self.contract is None:
            self.contract = _contract(self.request, self.kwargs["pk"])
        return self.contract

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(contract=self.get_contract(), title=self.title)
        return ctx

    def form_valid(self, form):
        try:
            target = self.perform(form.cleaned_data)
        except ValidationError as error:
            _errors_on_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, str(self.done_message))
        return redirect(target or self.get_contract())

    def perform(self, data):
        raise NotImplementedError


def _errors_on_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(
                    name if name in form.fields else None, message if name in form.fields else message
                )
    else:
        for message in error.messages:
            form.add_error(None, message)


class ContractDraftView(ContractFormView):
    title = gettext_lazy("New contract")
    form_class = ContractDraftForm
    done_message = gettext_lazy("The draft contract is saved.")

    def get_contract(self):
        return None

    def get_initial(self):
        initial = {"valid_from": timezone.localdate()}
        value = self.request.GET.get("customer", "")
        if value.isdigit() and len(value) < 12:
            customer = scope_queryset(Customer.objects.filter(pk=int(value)), self.request.user).first()
            if customer is not None:
                initial.update(
                    account_number=customer.account_number,
                    capacity_kva=customer.contracted_capacity_kva,
                    tariff_code=customer.tariff_code,
                )
        return initial

    def perform(self, data):
        customer = (
            scope_queryset(Customer.objects.all(), self.request.user)
            .filter(account_number=data["account_number"].strip())
            .first()
        )
        if customer is None:
            raise ValidationError(
                {"account_number": _("No customer with this account number in your scope.")}
            )
        fields = {
            name: data[name]
            for name in ContractClausesForm.Meta.fields
            if name not in ("valid_from", "valid_to")
        }
        return services.contract_draft(
            customer=customer,
            user=self.request.user,
            kind=data["kind"],
            number=data["number"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            **fields,
        )


class ContractEditView(ContractFormView):
    title = gettext_lazy("Edit the clauses")
    form_class = ContractClausesForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Contract.objects.get(pk=self.get_contract().pk)
        return kwargs

    def perform(self, data):
        return services.contract_update(contract=self.get_contract(), user=self.request.user, **data)


class ContractSignView(ContractFormView):
    title = gettext_lazy("Sign the contract")
    form_class = SignForm
    done_message = gettext_lazy("The contract is signed.")

    def get_initial(self):
        contract = self.get_contract()
        return {"signed_on": timezone.localdate(), "customer_signatory": contract.customer_signatory}

    def perform(self, data):
        user = self.request.user
        name = data["supplier_signatory_name"].strip()
        return services.contract_sign(
            contract=self.get_contract(),
            user=user,
            signed_on=data["signed_on"],
            customer_signatory=data["customer_signatory"].strip(),
            supplier_signatory=None if name else user,
            supplier_signatory_name=name,
        )


class ContractRenewView(ContractFormView):
    title = gettext_lazy("Extend the contract")
    form_class = RenewForm
    done_message = gettext_lazy("The contract is extended.")

    def perform(self, data):
        services.contract_renew(
            contract=self.get_contract(),
            user=self.request.user,
            new_valid_to=data["new_valid_to"],
            supplier_confirmed_on=data["supplier_confirmed_on"],
            customer_confirmed_on=data["customer_confirmed_on"],
            confirmation_file=data.get("confirmation_file"),
        )


class ContractSupersedeView(ContractFormView):
    title = gettext_lazy("Change a main clause (a new contract)")
    form_class = SupersedeForm
    done_message = gettext_lazy("A new draft is saved; it supersedes this contract when it is signed.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        contract = Contract.objects.get(pk=self.get_contract().pk)
        contract.valid_from = timezone.localdate()
        contract.valid_to = services.term_limit(contract.valid_from)
        kwargs["instance"] = contract
        return kwargs

    def perform(self, data):
        contract = self.get_contract()
        changes = {
            name: value
            for name, value in data.items()
            if name not in ("valid_from",) and getattr(contract, name, None) != value
        }
        return services.contract_supersede(
            contract=contract, user=self.request.user, valid_from=data["valid_from"], **changes
        )


class ContractTerminateView(ContractFormView):
    title = gettext_lazy("Terminate the contract")
    form_class = TerminateForm
    done_message = gettext_lazy("The contract is terminated.")

    def get_initial(self):
        return {"on": timezone.localdate()}

    def perform(self, data):
        services.contract_terminate(
            contract=self.get_contract(), user=self.request.user, on=data["on"], reason=data["reason"]
        )


class AgreementAddView(ContractFormView):
    title = gettext_lazy("Attach an agreement")
    form_class = AgreementForm
    done_message = gettext_lazy("The agreement is attached.")

    def perform(self, data):
        services.agreement_add(contract=self.get_contract(), user=self.request.user, **data)


class LoanView(ContractFormView):
    title = gettext_lazy("Lend the paper file")
    form_class = LoanForm
    done_message = gettext_lazy("The loan is recorded.")

    def get_initial(self):
        today = timezone.localdate()
        return {"lent_on": today, "due_on": today + datetime.timedelta(days=14)}

    def perform(self, data):
        services.loan_out(contract=self.get_contract(), user=self.request.user, **data)


class LoanReturnView(ContractFormView):
    title = gettext_lazy("The paper file is back")
    form_class = ReturnForm
    done_message = gettext_lazy("The return is recorded.")

    def get_contract(self):
        if self.contract is None:
            loan = scope_queryset(
                ContractFileLoan.objects.select_related("contract"), self.request.user
            ).filter(pk=self.kwargs["pk"])
            self.loan = loan.first()
            if self.loan is None:
                raise Http404(_("Not found."))
            self.contract = self.loan.contract
        return self.contract

    def get_initial(self):
        return {"returned_on": timezone.localdate()}

    def perform(self, data):
        self.get_contract()
        services.loan_return(loan=self.loan, user=self.request.user, returned_on=data["returned_on"])


class ScanUploadView(ContractFormView):
    title = gettext_lazy("Attach the scanned contract")
    form_class = ScanForm
    done_message = gettext_lazy("The scan is stored.")

    def perform(self, data):
        services.contract_attach_scan(
            contract=self.get_contract(), user=self.request.user, upload=data["scan"]
        )


class ApproveTermView(ContractPage, View):
    """POST: approve a longer term (a station head other than the preparer)."""

    action_capability = APPROVE_STATION

    def post(self, request, pk):
        contract = _contract(request, pk)
        try:
            services.contract_approve_term(contract=contract, user=request.user)
            messages.success(request, _("The longer term is approved."))
        except ValidationError as error:
            error_messages(request, error)
        return redirect(contract)


class ScanDownloadView(ContractPage, View):
    """The scanned contract, through core.uploads (an attachment nothing can run in)."""

    def get(self, request, pk):
        contract = _contract(request, pk)
        if not contract.scanned_file:
            raise Http404(_("Not found."))
        return upload_response(
            contract.scanned_file,
            content_type=contract.scanned_content_type,
            download_name=contract.scanned_file_name or f"{contract.number}.pdf",
        )


class ExtensionFileView(ContractPage, View):
    """The written confirmation of an extension."""

    def get(self, request, pk):
        extension = (
            scope_queryset(ContractExtension.objects.select_related("contract"), request.user)
            .filter(pk=pk)
            .first()
        )
        if extension is None or not extension.confirmation_file:
            raise Http404(_("Not found."))
        return upload_response(
            extension.confirmation_file,
            content_type=extension.confirmation_content_type,
            download_name=extension.confirmation_file_name or f"{extension.contract.number}.pdf",
        )
