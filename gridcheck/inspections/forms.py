"""Forms of the inspection pages: thin wrappers; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Customer
from gridcheck.core.fields import LocalDateTimeField
from gridcheck.inspections.choices import (
    TipOffChannel,
    TipOffStatus,
    WorkOrderSource,
)
from gridcheck.users.models import User


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)


class CustomerByAccountField(forms.CharField):
    """A customer named by account number (户号), within the querysets the view allows."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset if queryset is not None else Customer.objects.all()
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        customer = self.queryset.filter(account_number=value.strip()).first()
        if customer is None:
            raise forms.ValidationError(_("No customer with account number %(n)s.") % {"n": value})
        return customer


class WorkOrderForm(BootstrapMixin, forms.Form):
    """Open a work order by hand (or from an audit finding, a hazard follow-up, ...)."""

    customer = CustomerByAccountField(label=_("account number"), max_length=30)
    source = forms.ChoiceField(
        label=_("source"),
        choices=[(v, label) for v, label in WorkOrderSource.choices if v not in ("plan", "tipoff", "seal")],
        initial=WorkOrderSource.MANUAL,
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(
        label=_("due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers


class AssignForm(BootstrapMixin, forms.Form):
    """Choose the inspectors (two or more) and the visit date."""

    visit_date = forms.DateField(
        label=_("visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("inspectors"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["inspectors"].queryset = staff
        self.fields["inspectors"].widget.attrs.pop("class", None)


class TipOffForm(BootstrapMixin, forms.Form):
    """Register a tip-off; the reporter's identity is optional (anonymous tip-offs are allowed)."""

    channel = forms.ChoiceField(label=_("channel"), choices=TipOffChannel.choices)
    received_at = LocalDateTimeField(
        label=_("received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(label=_("what was reported"), widget=forms.Textarea(attrs={"rows": 3}))
    customer = CustomerByAccountField(label=_("account number"), max_length=30, required=False)
    address = forms.CharField(label=_("address reported"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("reporter's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("reporter's phone"), max_length=30, required=False)

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not (data.get("address") or "").strip():
            raise forms.ValidationError(_("Give the customer's account number or the address reported."))
        return data


class TipOffConcludeForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (s.value, s.label) for s in (TipOffStatus.PROVEN, TipOffStatus.UNFOUNDED, TipOffStatus.CLOSED)
        ],
    )
    outcome = forms.CharField(label=_("outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RewardForm(BootstrapMixin, forms.Form):
    amount_yuan = forms.DecimalField(label=_("reward [yuan]"), min_value=0, max_digits=10, decimal_places=2)
    paid_on = forms.DateField(
        label=_("reward paid on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CampaignForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    purpose = forms.CharField(label=_("purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(
        label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    targets = forms.CharField(
        label=_("target account numbers"),
        help_text=_("One account number per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    station = forms.ModelChoiceField(label=_("station"), queryset=None)

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations

    def clean_targets(self):
        return [
            line.strip()
            for line in self.cleaned_data["targets"].replace(",", "\n").splitlines()
            if line.strip()
        ]


class PlanGenerateForm(BootstrapMixin, forms.Form):
    month = forms.CharField(
        label=_("month"),
        max_length=7,
        initial=lambda: timezone.localdate().strftime("%Y-%m"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    station = forms.ModelChoiceField(label=_("station"), queryset=None)

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
