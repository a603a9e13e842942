"""Forms of the contract pages: they only collect input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.contracts.choices import AgreementKind, ContractKind
from gridcheck.contracts.models import Contract

DATE = {"type": "date"}
CLAUSE_FIELDS = (
    "clause_supply",
    "clause_capacity_use",
    "capacity_kva",
    "clause_metering_tariff",
    "tariff_code",
    "clause_boundary",
    "clause_term",
    "clause_liability",
    "clause_other",
    "theft_liability_acknowledged",
    "theft_liability_acknowledged_on",
)


class StyledForm:
    """Bootstrap classes on every widget."""

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 2)


class ContractClausesForm(StyledForm, forms.ModelForm):
    """The parties, term and seven clauses of a draft."""

    class Meta:
        model = Contract
        fields = (
            "supplier_signatory_name",
            "customer_signatory",
            "valid_from",
            "valid_to",
            *CLAUSE_FIELDS,
            "note",
        )
        widgets = {
            "valid_from": forms.DateInput(attrs=DATE),
            "valid_to": forms.DateInput(attrs=DATE),
            "theft_liability_acknowledged_on": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _post_clean(self):
        # The services validate the model (a draft may be incomplete); the form checks input types only.
        pass


class ContractDraftForm(ContractClausesForm):
    """A new draft: the customer's account number, the kind and optionally the number."""

    account_number = forms.CharField(label=_("account number"), max_length=30)
    kind = forms.ChoiceField(label=_("kind"), choices=ContractKind.choices)
    number = forms.CharField(
        label=_("contract number"),
        max_length=40,
        required=False,
        help_text=_("Empty: numbered automatically."),
    )
    valid_to = forms.DateField(
        label=_("valid to"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Empty: the normal term."),
    )

    field_order = ("account_number", "kind", "number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        self._style()


class SupersedeForm(ContractClausesForm):
    """The new draft that will supersede a contract: its start and the changed main clauses."""

    class Meta(ContractClausesForm.Meta):
        fields = ("valid_from", "valid_to", *CLAUSE_FIELDS, "note")


class SignForm(StyledForm, forms.Form):
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs=DATE))
    customer_signatory = forms.CharField(label=_("customer's signatory"), max_length=100, required=False)
    supplier_signatory_name = forms.CharField(
        label=_("supplier's signatory (name)"),
        max_length=100,
        required=False,
        help_text=_("Empty: you sign for the supplier."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RenewForm(StyledForm, forms.Form):
    new_valid_to = forms.DateField(label=_("new end"), widget=forms.DateInput(attrs=DATE))
    supplier_confirmed_on = forms.DateField(
        label=_("confirmed by the supplier on"), widget=forms.DateInput(attrs=DATE), required=False
    )
    customer_confirmed_on = forms.DateField(
        label=_("confirmed by the customer on"), widget=forms.DateInput(attrs=DATE), required=False
    )
    confirmation_file = forms.FileField(label=_("written confirmation (PDF or photo)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class TerminateForm(StyledForm, forms.Form):
    on = forms.DateField(label=_("terminated on"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("reason"), max_length=1000, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class LoanForm(StyledForm, forms.Form):
    borrower_name = forms.CharField(label=_("borrower"), max_length=100)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    lent_on = forms.DateField(label=_("lent on"), widget=forms.DateInput(attrs=DATE))
    due_on = forms.DateField(label=_("due back on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ReturnForm(StyledForm, forms.Form):
    returned_on = forms.DateField(label=_("returned on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AgreementForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AgreementKind.choices)
    number = forms.CharField(label=_("agreement number"), max_length=40, required=False)
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs=DATE), required=False)
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs=DATE), required=False)
    valid_to = forms.DateField(label=_("valid to"), widget=forms.DateInput(attrs=DATE), required=False)
    capacity_kva = forms.DecimalField(
        label=_("stated capacity [kVA]"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    tariff_code = forms.CharField(label=_("stated tariff code"), max_length=30, required=False)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ScanForm(StyledForm, forms.Form):
    scan = forms.FileField(label=_("scanned contract (PDF or photo)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
