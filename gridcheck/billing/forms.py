"""Forms of the billing pages; they only collect input, the services decide."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.billing.choices import AdjustmentKind, AnomalyKind, ReadingSource
from gridcheck_analytics.penalties.meter_errors import METER_ERROR_CAUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}

#: The causes of a meter error (arts. 80-81), in the words of the regulation.
METER_ERROR_CAUSE_LABELS = {
    "over_tolerance": _("Meter error beyond tolerance (art. 80(1))"),
    "pt_voltage_drop": _("PT secondary voltage drop (art. 80(2))"),
    "other_non_human": _("Other non-human cause (art. 80(3))"),
    "wiring_error": _("Wrong wiring (art. 81(1))"),
    "blown_pt_fuse": _("Blown PT fuse (art. 81(2))"),
    "wrong_multiplier": _("Wrong multiplier (art. 81(3))"),
}
CYCLE_MONTH_CHOICES = [(1, _("every month")), (2, _("every two months"))]


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(field.widget, forms.RadioSelect):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the browser's month input); cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value.strip()[:7], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None


class BookForm(StyledForm):
    station = forms.ModelChoiceField(label=_("station"), queryset=None)
    code = forms.CharField(label=_("book code"), max_length=30)
    name = forms.CharField(label=_("book name"), max_length=100)
    reading_day = forms.IntegerField(label=_("reading day"), min_value=1, max_value=28)
    cycle_months = forms.TypedChoiceField(
        label=_("reading cycle"), choices=CYCLE_MONTH_CHOICES, coerce=int, initial=1
    )
    reader = forms.ModelChoiceField(label=_("reader"), queryset=None)
    areas = forms.ModelMultipleChoiceField(
        label=_("transformer areas"),
        queryset=None,
        required=False,
        help_text=_("Only areas not yet in a book are offered: one reader per area."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, stations, readers, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["reader"].queryset = readers
        self.fields["areas"].queryset = areas
        if stations.count() == 1:
            self.fields["station"].initial = stations.first().pk
            self.fields["station"].widget = forms.HiddenInput()


class BookChangeForm(StyledForm):
    reading_day = forms.IntegerField(label=_("new reading day"), min_value=1, max_value=28)
    cycle_months = forms.TypedChoiceField(
        label=_("new reading cycle"), choices=CYCLE_MONTH_CHOICES, coerce=int
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OpenCycleForm(StyledForm):
    period = MonthField(label=_("billing month"))


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("what was checked"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReadingForm(StyledForm):
    """The reader's entry of one meter: register values as shown on the display."""

    total = forms.DecimalField(label=_("total register"), min_value=0, decimal_places=2, max_digits=14)
    peak = forms.DecimalField(
        label=_("peak register"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    flat = forms.DecimalField(
        label=_("flat register"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    valley = forms.DecimalField(
        label=_("valley register"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    reactive = forms.DecimalField(
        label=_("reactive register"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    source = forms.ChoiceField(
        label=_("source"), choices=ReadingSource.choices, initial=ReadingSource.HANDHELD
    )
    multiplier_read = forms.DecimalField(
        label=_("multiplier read on site"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text=_("Only when the nameplate or the CT shows a multiplier."),
    )
    photo = forms.FileField(
        label=_("photo of the display"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("total", "peak", "flat", "valley", "reactive", "multiplier_read"):
            self.fields[name].widget.attrs.update(NUMBER)

    def registers(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("total", "peak", "flat", "valley", "reactive")}


class AnomalyForm(StyledForm):
    kind = forms.ChoiceField(label=_("anomaly"), choices=AnomalyKind.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(StyledForm):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}))


class AdjustmentForm(StyledForm):
    """A refund or back-bill of an issued bill: a correction of its energy, or a meter error (arts. 80-81)."""

    kind = forms.ChoiceField(label=_("kind"), choices=AdjustmentKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    total_kwh = forms.DecimalField(
        label=_("corrected total energy [kWh]"), required=False, min_value=0, decimal_places=0, max_digits=14
    )
    peak_kwh = forms.DecimalField(
        label=_("corrected peak energy [kWh]"),
        required=False,
        min_value=0,
        decimal_places=0,
        max_digits=14,
        help_text=_("Time-of-use bills: the peak and valley energies (flat is the rest)."),
    )
    valley_kwh = forms.DecimalField(
        label=_("corrected valley energy [kWh]"), required=False, min_value=0, decimal_places=0, max_digits=14
    )
    reactive_kvarh = forms.DecimalField(
        label=_("corrected reactive energy [kvarh]"),
        required=False,
        min_value=0,
        decimal_places=0,
        max_digits=14,
        help_text=_("Bills with the power-factor adjustment."),
    )
    cause = forms.ChoiceField(
        label=_("cause of the meter error"),
        required=False,
        choices=[("", "—"), *((c, METER_ERROR_CAUSE_LABELS[c]) for c in METER_ERROR_CAUSES)],
    )
    recorded_energy_kwh = forms.DecimalField(label=_("energy recorded [kWh]"), required=False, max_digits=14)
    error_percent = forms.DecimalField(label=_("meter error [%]"), required=False, max_digits=8)
    actual_multiplier = forms.DecimalField(label=_("actual multiplier"), required=False, max_digits=14)
    billed_multiplier = forms.DecimalField(label=_("billed multiplier"), required=False, max_digits=14)
    register_difference_kwh = forms.DecimalField(
        label=_("register difference [kWh on the register]"), required=False, max_digits=14
    )
    normal_month_kwh = forms.DecimalField(
        label=_("normal monthly energy [kWh]"), required=False, max_digits=14
    )
    months = forms.DecimalField(label=_("months"), required=False, max_digits=6)

    METER_ERROR_FIELDS = (
        "recorded_energy_kwh",
        "error_percent",
        "actual_multiplier",
        "billed_multiplier",
        "register_difference_kwh",
        "normal_month_kwh",
        "months",
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == AdjustmentKind.CORRECTION and data.get("total_kwh") is None:
            self.add_error("total_kwh", _("Enter the corrected total energy."))
        if kind == AdjustmentKind.METER_ERROR and not data.get("cause"):
            self.add_error("cause", _("Choose the cause of the meter error."))
        return data

    def inputs(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == AdjustmentKind.CORRECTION:
            energies = {"total": str(data["total_kwh"])}
            for name, key in (("peak", "peak_kwh"), ("valley", "valley_kwh"), ("reactive", "reactive_kvarh")):
                if data.get(key) is not None:
                    energies[name] = str(data[key])
            return {"energies": energies}
        inputs = {"cause": data["cause"]}
        for name in self.METER_ERROR_FIELDS:
            if data.get(name) is not None:
                inputs[name] = str(data[name])
        return inputs


class CategoryChangeForm(StyledForm):
    customer_account = forms.CharField(label=_("customer account number"), max_length=30)
    new_tariff_code = forms.ChoiceField(label=_("new tariff"), choices=())
    effective_on = forms.DateField(label=_("effective on"), widget=DATE)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, tariffs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_tariff_code"].choices = tariffs


class BillingTermsForm(forms.ModelForm):
    """What a customer's contract says about its bill, beyond the tariff."""

    class Meta:
        from gridcheck.billing.models import BillingTerms

        model = BillingTerms
        fields = (
            "basic_charge_basis",
            "low_side_metering",
            "transformer_capacity_kva",
            "no_load_loss_kw",
            "load_loss_kw",
            "no_load_current_percent",
            "impedance_voltage_percent",
            "mixed_use_share",
            "mixed_use_tariff_code",
            "mixed_use_signed_on",
            "mixed_use_checked_on",
        )
        widgets = {
            "mixed_use_signed_on": DATE,
            "mixed_use_checked_on": DATE,
        }

    def __init__(self, *args, tariffs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mixed_use_tariff_code"] = forms.ChoiceField(
            label=self.fields["mixed_use_tariff_code"].label,
            choices=tariffs,
            required=False,
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)
