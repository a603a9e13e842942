"""Temporary supply's pages: the ledger (list with its views, filters and XLSX export), the detail page
with its events, one form per step (the connect and close forms fit a phone on site), the scanned
application, and the unauthorised connections."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from gridcheck.core.generic import ScopedDetailView, ScopedListView, ScopedPage, StepView, error_messages
from gridcheck.core.roles import (
    APPROVE_STATION,
    HANDLE_CASES,
    MANAGE_CONTRACTS,
    VIEW_CONTRACTS,
    has_capability,
)
from gridcheck.core.uploads import upload_response
from gridcheck.temporary_supply import forms, services
from gridcheck.temporary_supply.choices import (
    ACTIVE_STATUSES,
    ExtensionStatus,
    Ledger,
    MeteringMode,
    SupplyStatus,
)
from gridcheck.temporary_supply.filtersets import TemporarySupplyFilterSet, UnauthorisedConnectionFilterSet
from gridcheck.temporary_supply.models import (
    TemporarySupply,
    TemporarySupplyExtension,
    UnauthorisedConnection,
)
from gridcheck.temporary_supply.selectors import events_of, ledger_counts, prepaid_balance
from gridcheck.temporary_supply.tables import TemporarySupplyTable, UnauthorisedConnectionTable


class SupplyListView(ScopedListView):
    """The temporary-supply ledger (临时用电台账)."""

    model = TemporarySupply
    filterset_class = TemporarySupplyFilterSet
    table_class = TemporarySupplyTable
    export_entity = "temporary_supplies"
    required_capability = VIEW_CONTRACTS
    template_name = "temporary_supply/supply_list.html"
    title = _("Temporary supply ledger")
    search_placeholder = _("Search by number, applicant, account or address")

    def get_base_queryset(self):
        return TemporarySupply.objects.select_related("station", "area", "customer")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = ledger_counts(self.request.user)
        ctx["ledger_views"] = [(value, label, counts[value]) for value, label in Ledger.choices]
        ctx["ledger_current"] = self.request.GET.get("ledger", "")
        ctx["can_apply"] = has_capability(self.request.user, MANAGE_CONTRACTS)
        return ctx


class SupplyDetailView(ScopedDetailView):
    model = TemporarySupply
    required_capability = VIEW_CONTRACTS
    template_name = "temporary_supply/supply_detail.html"
    context_object_name = "supply"

    def get_queryset(self):
        return super().get_queryset().select_related("station", "area", "customer", "contract")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        supply, user = self.object, self.request.user
        manage = has_capability(user, MANAGE_CONTRACTS)
        approve = has_capability(user, APPROVE_STATION)
        pending = supply.extensions.filter(status=ExtensionStatus.PENDING).first()
        ctx.update(
            events=events_of(supply),
            extensions=supply.extensions.select_related("requested_by", "decided_by"),
            unauthorised=supply.unauthorised_connections.select_related("staff", "case"),
            balance=prepaid_balance(supply.customer),
            is_metered=supply.metering_mode == MeteringMode.METER,
            is_preparer=user.pk == supply.prepared_by_id,
            can_decide=approve and supply.status == SupplyStatus.APPLIED and user.pk != supply.prepared_by_id,
            can_connect=manage and supply.status == SupplyStatus.APPROVED,
            can_extend=manage and supply.status in (SupplyStatus.CONNECTED, SupplyStatus.EXTENDED),
            pending_extension=pending,
            can_decide_extension=approve
            and pending is not None
            and user.pk not in (pending.requested_by_id, supply.prepared_by_id),
            can_close=manage and supply.status in (SupplyStatus.ENDED, *ACTIVE_STATUSES),
            approve_form=forms.ApproveForm(),
            reject_form=forms.RejectForm(),
            decide_form=forms.ExtensionDecideForm(),
        )
        if not supply.connected_on and supply.status == SupplyStatus.APPROVED:
            today = timezone.localdate()
            on = min(max(today, supply.start_on), supply.end_on)
            ctx["connection_problems"] = services.connection_problems(supply, on)
        return ctx


class SupplyFileView(ScopedPage, View):
    required_capability = VIEW_CONTRACTS

    def get(self, request, pk):
        supply = self.scoped_object(TemporarySupply)
        if not supply.application_file:
            from django.http import Http404

            raise Http404
        return upload_response(
            supply.application_file,
            content_type=supply.application_content_type or "application/octet-stream",
            download_name=supply.application_file_name or supply.application_file.name,
        )


class _FormPage(ScopedPage, TemplateView):
    """A step with its own form page: GET shows it, POST runs ``run(data, obj)`` then goes to the
    supply's page; a refusal is shown on the form with the field it names."""

    template_name = "temporary_supply/step_form.html"
    required_capability = VIEW_CONTRACTS
    action_capability = MANAGE_CONTRACTS
    form_class = None
    title = ""
    needs_object = True
    multipart = False

    def get_object(self):
        return self.scoped_object(TemporarySupply) if self.needs_object else None

    def form_kwargs(self) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.context(self.form_class(**self.form_kwargs())))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs())
        if form.is_valid():
            try:
                result = self.run(form.cleaned_data, self.object)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(result.get_absolute_url())
        return self.render_to_response(self.context(form), status=400)

    def context(self, form) -> dict:
        return self.get_context_data(
            form=form, supply=self.object, title=self.title, multipart=self.multipart
        )

    def run(self, data, obj):
        raise NotImplementedError


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ApplyView(_FormPage):
    form_class = forms.ApplyForm
    title = _("Temporary supply application")
    needs_object = False
    multipart = True

    def form_kwargs(self):
        return {"user": self.request.user}

    def run(self, data, obj):
        return services.temporary_supply_apply(user=self.request.user, **data)


class ConnectView(_FormPage):
    form_class = forms.ConnectForm
    title = _("Connect the temporary supply")

    def run(self, data, obj):
        return services.temporary_supply_connect(user=self.request.user, supply=obj, **data)


class ExtensionRequestView(_FormPage):
    form_class = forms.ExtensionForm
    title = _("Extension of the temporary supply")

    def run(self, data, obj):
        services.temporary_supply_extension_request(user=self.request.user, supply=obj, **data)
        return obj


class CloseView(_FormPage):
    form_class = forms.CloseForm
    title = _("Close and settle the temporary supply")

    def run(self, data, obj):
        return services.temporary_supply_close(user=self.request.user, supply=obj, **data)


class ApproveView(StepView):
    model = TemporarySupply
    required_capability = VIEW_CONTRACTS
    action_capability = APPROVE_STATION

    def run(self, request, obj):
        data = self.form(forms.ApproveForm)
        services.temporary_supply_approve(user=request.user, supply=obj, **data)
        messages.success(request, _("Approved."))


class RejectView(StepView):
    model = TemporarySupply
    required_capability = VIEW_CONTRACTS
    action_capability = APPROVE_STATION

    def run(self, request, obj):
        data = self.form(forms.RejectForm)
        services.temporary_supply_reject(user=request.user, supply=obj, reason=data["reason"])
        messages.success(request, _("Rejected."))


class ExtensionDecideView(StepView):
    model = TemporarySupplyExtension
    required_capability = VIEW_CONTRACTS
    action_capability = APPROVE_STATION

    def run(self, request, obj):
        data = self.form(forms.ExtensionDecideForm)
        services.temporary_supply_extension_decide(
            user=request.user, extension=obj, approve=data["decision"] == "approve", comment=data["comment"]
        )
        messages.success(request, _("Decided."))

    def next_url(self, obj):
        return obj.supply.get_absolute_url()


class UnauthorisedListView(ScopedListView):
    model = UnauthorisedConnection
    filterset_class = UnauthorisedConnectionFilterSet
    table_class = UnauthorisedConnectionTable
    required_capability = VIEW_CONTRACTS
    template_name = "temporary_supply/unauthorised_list.html"
    title = _("Unauthorised temporary connections")
    hidden_filters = ("pk",)

    def get_base_queryset(self):
        return UnauthorisedConnection.objects.select_related("station", "area", "staff", "case", "supply")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_record"] = _may_record(self.request.user)
        return ctx


def _may_record(user) -> bool:
    return has_capability(user, MANAGE_CONTRACTS) or has_capability(user, HANDLE_CASES)


class UnauthorisedRecordView(_FormPage):
    form_class = forms.UnauthorisedForm
    title = _("Record an unauthorised temporary connection")
    needs_object = False
    action_capability = None
    action_capabilities = (MANAGE_CONTRACTS, HANDLE_CASES)

    def form_kwargs(self):
        return {"user": self.request.user}

    def run(self, data, obj):
        record = services.unauthorised_connection_record(user=self.request.user, **data)
        return record.supply or record

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except PermissionDenied as error:
            error_messages(request, error)
            return redirect("temporary_supply:unauthorised_list")
