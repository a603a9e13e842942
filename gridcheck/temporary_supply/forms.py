"""Forms of temporary supply: one per step. The connect and close forms are used on a phone on site."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.choices import VoltageLevel
from gridcheck.archive.models import Area, Customer, Tariff
from gridcheck.core.scoping import scope_queryset
from gridcheck.temporary_supply.choices import Completion, ConnectedBy, MeteringMode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal"}


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            field.widget.attrs.setdefault("class", css)


class ApplyForm(_Styled):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("transformer area"))
    applicant_name = forms.CharField(label=_("applicant"), max_length=100)
    applicant_phone = forms.CharField(label=_("applicant's phone"), max_length=30, required=False)
    applied_on = forms.DateField(label=_("written application dated"), widget=DATE)
    application_file = forms.FileField(label=_("scanned application (PDF, JPG or PNG)"), required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    address = forms.CharField(label=_("address"), max_length=200)
    capacity_kva = forms.DecimalField(label=_("capacity [kVA]"), min_value=Decimal("0.01"), decimal_places=2)
    voltage_level = forms.ChoiceField(label=_("voltage level"), choices=VoltageLevel.choices, initial="380V")
    tariff_code = forms.ChoiceField(label=_("tariff"))
    start_on = forms.DateField(label=_("start date"), widget=DATE)
    end_on = forms.DateField(label=_("agreed end"), widget=DATE)
    metering_mode = forms.ChoiceField(label=_("metering"), choices=MeteringMode.choices)
    hours_per_day = forms.DecimalField(
        label=_("agreed hours per day [h]"), required=False, min_value=0.5, max_value=24, decimal_places=1
    )
    meter_asset_number = forms.CharField(label=_("meter asset number"), max_length=40, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = scope_queryset(Area.objects.select_related("station"), user)
        codes = Tariff.objects.order_by("code").values_list("code", "name").distinct()
        self.fields["tariff_code"].choices = [(c, f"{c} {n}") for c, n in codes]
        self.fields["applied_on"].initial = timezone.localdate()


class ApproveForm(_Styled):
    prepayment_yuan = forms.DecimalField(
        label=_("prepayment required [yuan] (metered supply only)"),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=500)


class RejectForm(_Styled):
    reason = forms.CharField(label=_("reason"), max_length=500)


class ConnectForm(_Styled):
    on = forms.DateField(label=_("connected on"), widget=DATE)
    meter_asset_number = forms.CharField(label=_("meter asset number"), max_length=40, required=False)
    initial_reading_kwh = forms.DecimalField(
        label=_("reading at connection [kWh]"),
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.TextInput(attrs=NUMBER),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ExtensionForm(_Styled):
    requested_on = forms.DateField(label=_("written application dated"), widget=DATE)
    new_end_on = forms.DateField(label=_("new end"), widget=DATE)
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()


class ExtensionDecideForm(_Styled):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=500)


class CloseForm(_Styled):
    closed_on = forms.DateField(label=pgettext_lazy("temporary supply", "closed on"), widget=DATE)
    final_reading_kwh = forms.DecimalField(
        label=_("final reading [kWh] (metered supply)"),
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.TextInput(attrs=NUMBER),
    )
    completion = forms.ChoiceField(label=_("line and meter"), choices=Completion.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class UnauthorisedForm(_Styled):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("transformer area"))
    found_on = forms.DateField(label=_("found on"), widget=DATE)
    address = forms.CharField(label=_("address"), max_length=200)
    connected_by = forms.ChoiceField(label=_("connected by"), choices=ConnectedBy.choices)
    staff = forms.ModelChoiceField(queryset=None, label=_("member of staff"), required=False)
    customer = forms.CharField(label=_("customer account number"), max_length=30, required=False)
    facts = forms.CharField(label=_("facts"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        from gridcheck.users.models import User

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = scope_queryset(Area.objects.select_related("station"), user)
        staff = User.objects.filter(is_active=True, station__isnull=False).order_by("username")
        if getattr(user, "station_id", None):
            staff = staff.filter(station_id=user.station_id)
        self.fields["staff"].queryset = staff
        self.fields["found_on"].initial = timezone.localdate()

    def clean_customer(self):
        account = (self.cleaned_data.get("customer") or "").strip()
        if not account:
            return None
        customer = scope_queryset(Customer.objects.filter(account_number=account), self.user).first()
        if customer is None:
            raise forms.ValidationError(_("No customer %(account)s in your scope.") % {"account": account})
        return customer
