"""Forms of the case pages; they only collect input, the services decide."""

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.cases.choices import ApprovalDecision, CaseKind, CustomerClass, TheftType, ViolationType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class CaseForm(StyledForm):
    """Open a case: the customer, what was found, and the facts of the calculation."""

    customer_account = forms.CharField(label=_("customer account number"), max_length=30)
    kind = forms.ChoiceField(label=_("kind"), choices=CaseKind.choices)
    theft_type = forms.ChoiceField(
        label=_("theft type"), choices=[("", "—"), *TheftType.choices], required=False
    )
    violation_type = forms.ChoiceField(
        label=_("violation type"), choices=[("", "—"), *ViolationType.choices], required=False
    )
    case_date = forms.DateField(label=_("case date"), widget=DATE)
    visit_ref = forms.CharField(label=_("inspection visit reference"), max_length=60, required=False)
    visit_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The visit's finding the case comes from (an index into the visit's findings).
    finding = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    facts = forms.CharField(label=_("facts found"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    # Theft facts (art. 103); empty duration fields: the default days and hours per day apply.
    equipment_capacity_kw = forms.CharField(
        label=_("private equipment capacity [kW]"),
        required=False,
        help_text=_("Direct tap only: each piece's rated capacity, separated by commas (kVA counted as kW)."),
    )
    limiter_current_a = forms.DecimalField(
        label=_("current limiter setting [A]"), required=False, min_value=0
    )
    hours = forms.DecimalField(label=_("proven theft hours [h]"), required=False, min_value=0)
    days = forms.DecimalField(label=_("proven theft days [d]"), required=False, min_value=0)
    hours_per_day = forms.DecimalField(label=_("hours per day [h/d]"), required=False, min_value=0)
    customer_class = forms.ChoiceField(
        label=_("customer class"),
        choices=[("", _("From the tariff category")), *CustomerClass.choices],
        required=False,
        help_text=_("Sets the default hours per day when the theft duration is unknown."),
    )
    damage_yuan = forms.DecimalField(
        label=_("damage to supply facilities [yuan]"), required=False, min_value=0
    )
    prior_offence = forms.BooleanField(label=_("prior theft offence within the past year"), required=False)
    repeated = forms.BooleanField(label=_("repeated theft"), required=False)
    violation_inputs = forms.CharField(
        label=_("violation facts (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control font-monospace"}),
        help_text=_('Violation only, e.g. {"extra_capacity_kva": 15, "two_part": false}.'),
    )

    THEFT_FIELDS = (
        "limiter_current_a",
        "hours",
        "days",
        "hours_per_day",
        "customer_class",
        "damage_yuan",
    )

    def clean_equipment_capacity_kw(self):
        raw = self.cleaned_data.get("equipment_capacity_kw", "").replace("，", ",").replace("、", ",")
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        try:
            return [str(Decimal(p)) for p in parts]
        except InvalidOperation:
            raise forms.ValidationError(_("Enter numbers separated by commas.")) from None

    def clean_violation_inputs(self):
        raw = self.cleaned_data.get("violation_inputs", "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Enter a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a JSON object."))
        return value

    def inputs(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == CaseKind.VIOLATION:
            return data["violation_inputs"]
        inputs = {name: data[name] for name in self.THEFT_FIELDS if data.get(name) not in (None, "")}
        if data["equipment_capacity_kw"]:
            inputs["equipment_capacity_kw"] = data["equipment_capacity_kw"]
        for flag in ("prior_offence", "repeated"):
            if data.get(flag):
                inputs[flag] = True
        return inputs


class NotifyForm(StyledForm):
    """The notice was served: signed (by whom) or refused (how, before which witnesses)."""

    signed = forms.TypedChoiceField(
        label=_("customer's answer"),
        choices=[("yes", _("Signed")), ("no", _("Refused to sign"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    signer_name = forms.CharField(label=_("signed by"), max_length=50, required=False)
    refusal_note = forms.CharField(
        label=_("refusal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notified_on = forms.DateField(label=_("notified on"), widget=DATE)


class ApprovalForm(StyledForm):
    decision = forms.ChoiceField(label=_("decision"), choices=ApprovalDecision.choices)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(StyledForm):
    amount_yuan = forms.DecimalField(label=_("amount [yuan]"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=50)


class CloseForm(StyledForm):
    """The three "not let go" (三不放过) answers."""

    cause_found = forms.CharField(
        label=_("cause found"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    responsible_dealt_with = forms.CharField(
        label=_("those responsible dealt with"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measures_taken = forms.CharField(
        label=_("measures taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
