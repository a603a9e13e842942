"""Forms of the case pages; they only collect input, the services decide.

The facts of a violation are entered per violation type: the fields are generated from the parameters of
that violation's calculator function (``violation_fields``), labelled in Chinese, never a JSON box; the
case date and the catalogue prices are never among them. The practice settings of the case are one choice
each (``calc_settings.settings_for``).
"""

import inspect
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.cases.calc_settings import all_settings
from gridcheck.cases.choices import (
    ApprovalDecision,
    CaseKind,
    CustomerClass,
    LegalStep,
    SettlementKind,
    TheftType,
    ViolationType,
)
from gridcheck_analytics import penalties
from gridcheck_analytics.penalties.labels import INPUT_LABELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Violation parameters filled by the service (the case date, the catalogue prices, the rule table).
SERVICE_PARAMS = frozenset(
    {
        "case_date",
        "today",
        "table",
        "province",
        "settings",
        "price_yuan_per_kwh",
        "price_difference_yuan_per_kwh",
        "basic_charge_yuan_per_kva_month",
    }
)
#: Chinese labels of the violation facts (through gettext), where the calculator's label table is terse.
VIOLATION_LABELS = {
    "energy_kwh": _("energy used at the higher tariff [kWh]"),
    "capacity_kw": _("capacity used at the higher tariff [kW]"),
    "hours_per_day": _("hours per day [h/d]"),
    "days": _("days [d]"),
    "months": _("months"),
    "contract_penalty_multiple": _("contract penalty multiple"),
    "extra_capacity_kva": _("private extra capacity [kVA]"),
    "two_part": _("two-part tariff customer"),
    "contract_value": _("contract amount (where the rule is a cap)"),
    "peak_overuse_kw": _("peak load above the allocation [kW]"),
    "excess_energy_kwh": _("energy above the allocation [kWh]"),
    "times": _("number of times"),
    "capacity_kva": _("capacity of the sealed equipment [kVA]"),
    "also_excess_capacity": _("the equipment was also excess capacity"),
    "residential": _("residential customer"),
    "source_capacity_kw": _("capacity of the source [kW]"),
    "used_tariff_code": _("tariff code of the category actually used"),
    "monthly_kwh": _("monthly energy during the violation [kWh]"),
    "high_tariff_share": _("share used at the higher tariff"),
    "baseline_monthly_kwh": _("monthly energy before the violation [kWh]"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "basic_charge_yuan": _("known basic charge [yuan]"),
    "basic_charge_source": _("source of the known basic charge"),
}
#: Violation facts that are a list of numbers (monthly energies).
LIST_PARAMS = frozenset({"monthly_kwh", "baseline_monthly_kwh"})
#: Theft inputs and the form field that enters each (the calculator's errors land on that field).
THEFT_FIELDS = (
    "equipment_capacity_kw",
    "limiter_current_a",
    "hours",
    "days",
    "hours_per_day",
    "start_date",
    "end_date",
    "customer_class",
    "damage_yuan",
    "surcharge_yuan_per_kwh",
    "contract_penalty_multiple",
    "basis_reason",
    "transformer_kva",
    "recorded_energy_kwh",
    "actual_ct_ratio",
    "billed_ct_ratio",
    "established_energy_kwh",
    "correction_factor",
    "normal_months_kwh",
    "after_months_kwh",
    "theft_months",
)
#: Theft inputs that are a list of numbers, entered separated by commas.
THEFT_LIST_FIELDS = ("equipment_capacity_kw", "normal_months_kwh", "after_months_kwh")
FORM_FIELD_OF_INPUT = {name: name for name in THEFT_FIELDS}
FORM_FIELD_OF_INPUT.update(
    voltage_v="capacity_voltage_v",
    marked_current_a="meter",
    meter_phases="meter",
    ct_ratio="meter",
    pt_ratio="meter",
    price_yuan_per_kwh="inputs",
    basis="set_basis",
)


def input_label(name: str) -> str:
    """The Chinese name of a calculation input (a form label, else the calculator's label table)."""
    if name.startswith("settings."):
        from gridcheck.cases.calc_settings import setting_label

        return setting_label(name.split(".", 1)[1])
    if name in VIOLATION_LABELS:
        return str(VIOLATION_LABELS[name])
    field = CaseForm.base_fields.get(name) or CaseForm.base_fields.get(FORM_FIELD_OF_INPUT.get(name, ""))
    if field is not None and field.label:
        return str(field.label)
    return INPUT_LABELS.get(name, name)


def _numbers(text: str) -> list[str]:
    """``"1200，1300、900 800"`` → ``["1200", "1300", "900", "800"]`` (commas of either width, 、 or spaces
    separate the numbers)."""
    parts = [p for p in str(text).replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    return [str(Decimal(p)) for p in parts]


def _is_bool(param: inspect.Parameter) -> bool:
    return isinstance(param.default, bool) or param.annotation in (bool, "bool")


def violation_params(violation_type: str) -> list[inspect.Parameter]:
    """The facts a person enters for ``violation_type``: its calculator's parameters less the service's."""
    function = penalties.VIOLATIONS[violation_type]
    params = [p for n, p in inspect.signature(function).parameters.items() if n not in SERVICE_PARAMS]
    if "price_difference_yuan_per_kwh" in inspect.signature(function).parameters:
        params.insert(0, inspect.Parameter("used_tariff_code", inspect.Parameter.KEYWORD_ONLY, default=""))
    return params


def violation_field_name(violation_type: str, name: str) -> str:
    return f"v_{violation_type}__{name}"


def violation_fields() -> dict[str, forms.Field]:
    """A form field for every fact of every violation type (named ``v_<type>__<fact>``)."""
    fields = {}
    for vtype in ViolationType.values:
        for param in violation_params(vtype):
            label = VIOLATION_LABELS.get(param.name) or INPUT_LABELS.get(param.name, param.name)
            if _is_bool(param):
                field = forms.BooleanField(label=label, required=False)
            elif param.name == "used_tariff_code" or param.name.endswith("_source"):
                field = forms.CharField(label=label, max_length=200, required=False)
            elif param.name.endswith("_date"):
                field = forms.DateField(label=label, required=False, widget=DATE)
            elif param.name in LIST_PARAMS:
                field = forms.CharField(
                    label=label, required=False, help_text=_("Numbers separated by commas, oldest first.")
                )
            else:
                field = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14)
            field.violation_type = vtype
            field.param = param.name
            field.required_fact = param.default is inspect.Parameter.empty
            fields[violation_field_name(vtype, param.name)] = field
    return fields


def setting_fields() -> dict[str, forms.Field]:
    """A choice for every calculation setting (named ``set_<name>``): empty = the rule table's default."""
    fields = {}
    for setting in all_settings():
        if setting.choices:
            field = forms.ChoiceField(
                label=setting.label,
                choices=[("", _("Rule table default")), *setting.choices],
                required=False,
                help_text=setting.help_text,
            )
        else:
            field = forms.DecimalField(
                label=setting.label,
                required=False,
                min_value=0,
                help_text=_("Empty: the rule table's value."),
            )
        field.setting = setting.name
        fields["set_" + setting.name.replace(".", "__")] = field
    return fields


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
    """Open (or correct) a case: the customer, what was found, the facts and the settings of the calculation."""

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
    capacity_voltage_v = forms.DecimalField(
        label=_("voltage of the capacity formula [V]"),
        required=False,
        min_value=1,
        max_digits=9,
        decimal_places=1,
        help_text=_(
            "Prefilled from the archive. A meter fed through a PT: the metering point's primary voltage "
            "(e.g. 10000 V = 100 V × PT 100), never 380 V × PT."
        ),
    )
    capacity_reason = forms.CharField(
        label=_("reason for a capacity above the contract"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the capacity exceeds what the customer's transformer or contract carries."),
    )
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
    start_date = forms.DateField(label=_("theft start date"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("theft end date"), required=False, widget=DATE)
    customer_class = forms.ChoiceField(
        label=_("customer class"),
        choices=[("", _("From the tariff category")), *CustomerClass.choices],
        required=False,
        help_text=_("Sets the default hours per day when the theft duration is unknown."),
    )
    damage_yuan = forms.DecimalField(
        label=_("damage to supply facilities [yuan]"), required=False, min_value=0
    )
    surcharge_yuan_per_kwh = forms.DecimalField(
        label=_("government funds and surcharges [yuan/kWh]"), required=False, min_value=0
    )
    contract_penalty_multiple = forms.DecimalField(
        label=_("contract penalty multiple"), required=False, min_value=0
    )
    basis_reason = forms.CharField(label=_("why this basis"), required=False, max_length=500)
    transformer_kva = forms.DecimalField(
        label=_("bypassed transformer capacity [kVA]"), required=False, min_value=0
    )
    recorded_energy_kwh = forms.DecimalField(
        label=_("energy recorded during the theft [kWh]"), required=False, min_value=0
    )
    actual_ct_ratio = forms.DecimalField(label=_("CT ratio actually installed"), required=False, min_value=0)
    billed_ct_ratio = forms.DecimalField(label=_("CT ratio billed"), required=False, min_value=0)
    established_energy_kwh = forms.DecimalField(
        label=_("stolen energy established otherwise [kWh]"), required=False, min_value=0
    )
    correction_factor = forms.DecimalField(label=_("correction factor"), required=False, min_value=0)
    # The criminal amount when the duration is unknown (SJ-2013 art. 4(3)): the monthly-average method.
    normal_months_kwh = forms.CharField(
        label=_("normal monthly energy before the theft [kWh]"),
        required=False,
        help_text=_(
            "Duration unknown, for the criminal amount: each normal month's energy before the theft, "
            "separated by commas; the latest months count, as many as the rule table allows."
        ),
    )
    after_months_kwh = forms.CharField(
        label=_("metered monthly energy since the theft began [kWh]"),
        required=False,
        help_text=_("Each month's metered energy since the theft began, separated by commas."),
    )
    theft_months = forms.DecimalField(label=_("theft months"), required=False, min_value=0)
    prior_offence = forms.BooleanField(label=_("prior theft offence within the past year"), required=False)
    repeated = forms.BooleanField(label=_("repeated theft"), required=False)

    #: Fields of the case itself (not of the calculation).
    CASE_FIELDS = ("customer_account", "kind", "theft_type", "violation_type", "case_date", "visit_ref")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        for name, field in {**violation_fields(), **setting_fields()}.items():
            self.fields[name] = field
        if editing:
            for name in ("customer_account", "kind", "visit_ref", "visit_id", "finding"):
                self.fields.pop(name, None)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    # -- the groups the template shows
    def theft_fields(self):
        return [self[n] for n in THEFT_FIELDS if n in self.fields]

    def violation_groups(self):
        """[(violation type, label, [bound fields])] for the per-type fieldsets."""
        groups = []
        for value, label in ViolationType.choices:
            names = [violation_field_name(value, p.name) for p in violation_params(value)]
            groups.append((value, label, [self[n] for n in names]))
        return groups

    def setting_bound_fields(self):
        return [self[n] for n in self.fields if n.startswith("set_")]

    def case_bound_fields(self):
        return [self[n] for n in self.CASE_FIELDS if n in self.fields]

    # -- cleaning
    def clean(self):
        data = super().clean()
        for name in THEFT_LIST_FIELDS:
            if name in self.fields and data.get(name):
                try:
                    data[name] = _numbers(data[name])
                except InvalidOperation:
                    self.add_error(name, _("Enter numbers separated by commas."))
        for name, field in self.fields.items():
            if getattr(field, "param", None) in LIST_PARAMS and data.get(name):
                try:
                    _numbers(data[name])
                except InvalidOperation:
                    self.add_error(name, _("Enter numbers separated by commas."))
        kind = data.get("kind") or getattr(self, "case_kind", None)
        vtype = data.get("violation_type")
        if kind == CaseKind.VIOLATION and vtype:
            for param in violation_params(vtype):
                name = violation_field_name(vtype, param.name)
                field = self.fields[name]
                if field.required_fact and not _is_bool(param) and data.get(name) in (None, ""):
                    self.add_error(name, _("%(field)s: this fact is required.") % {"field": field.label})
            if "used_tariff_code" in {p.name for p in violation_params(vtype)}:
                if not data.get(violation_field_name(vtype, "used_tariff_code")):
                    self.add_error(
                        violation_field_name(vtype, "used_tariff_code"),
                        _("%(field)s: this fact is required.")
                        % {"field": VIOLATION_LABELS["used_tariff_code"]},
                    )
        return data

    def inputs(self, kind: str | None = None) -> dict:
        data = self.cleaned_data
        kind = kind or data.get("kind")
        if kind == CaseKind.VIOLATION:
            vtype = data.get("violation_type")
            if not vtype:
                return {}
            inputs = {}
            for param in violation_params(vtype):
                value = data.get(violation_field_name(vtype, param.name))
                if _is_bool(param):
                    inputs[param.name] = bool(value)
                elif value in (None, ""):
                    continue
                elif param.name in LIST_PARAMS:
                    inputs[param.name] = _numbers(value)
                elif hasattr(value, "isoformat"):
                    inputs[param.name] = value.isoformat()
                else:
                    inputs[param.name] = str(value)
            return inputs
        inputs = {}
        for name in THEFT_FIELDS:
            value = data.get(name)
            if value in (None, "", []):
                continue
            inputs[name] = value.isoformat() if hasattr(value, "isoformat") else value
        for flag in ("prior_offence", "repeated"):
            if data.get(flag):
                inputs[flag] = True
        return inputs

    def calc_settings(self, kind: str | None = None, violation_type: str = "") -> dict:
        """The chosen settings that apply to the case's kind (the others are ignored)."""
        from gridcheck.cases.calc_settings import settings_for

        data = self.cleaned_data
        kind = kind or data.get("kind")
        allowed = {s.name for s in settings_for(kind, violation_type or data.get("violation_type") or "")}
        chosen = {}
        for name, field in self.fields.items():
            setting = getattr(field, "setting", None)
            if setting in allowed and data.get(name) not in (None, ""):
                value = data[name]
                chosen[setting] = str(value.normalize()) if isinstance(value, Decimal) else str(value)
        return chosen

    @classmethod
    def initial_from_case(cls, case) -> dict:
        """The form's initial values for correcting ``case``."""
        initial = {
            "theft_type": case.theft_type,
            "violation_type": case.violation_type,
            "case_date": case.case_date,
            "facts": case.facts,
            "capacity_voltage_v": case.capacity_voltage_v,
            "capacity_reason": case.capacity_reason,
        }
        inputs = dict(case.inputs or {})
        if case.kind == CaseKind.VIOLATION and case.violation_type:
            for param in violation_params(case.violation_type):
                if param.name in inputs:
                    value = inputs[param.name]
                    value = ", ".join(value) if isinstance(value, list) else value
                    initial[violation_field_name(case.violation_type, param.name)] = value
        else:
            for name in THEFT_FIELDS:
                if name in inputs:
                    value = inputs[name]
                    initial[name] = ", ".join(value) if isinstance(value, list) else value
            for flag in ("prior_offence", "repeated"):
                initial[flag] = bool(inputs.get(flag))
        for name, value in (case.calc_settings or {}).items():
            initial["set_" + name.replace(".", "__")] = value
        return initial


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


class CancelForm(StyledForm):
    prefix = "cancel"
    reason = forms.CharField(label=_("cancellation reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SettlementForm(StyledForm):
    """The amount agreed or judged, beside the computed one, with its document."""

    prefix = "settle"

    amount_yuan = forms.DecimalField(
        label=_("settled amount [yuan]"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    kind = forms.ChoiceField(label=_("settlement kind"), choices=SettlementKind.choices)
    settled_on = forms.DateField(label=_("settled on"), widget=DATE)
    reference = forms.CharField(label=_("settlement document number"), max_length=100)
    document = forms.FileField(label=_("settlement document (PDF or photo)"))


class WriteOffForm(StyledForm):
    prefix = "writeoff"
    amount_yuan = forms.DecimalField(
        label=_("write-off [yuan]"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("write-off reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LegalStepForm(StyledForm):
    """The legal step of the three "not let go": the police transfer with its receipt, or why none is due."""

    prefix = "legal"

    step = forms.ChoiceField(label=_("legal step"), choices=LegalStep.choices)
    transfer_on = forms.DateField(label=_("transferred to the police on"), widget=DATE, required=False)
    reference = forms.CharField(label=_("police receipt number"), max_length=60, required=False)
    receipt = forms.FileField(label=_("police receipt (PDF or photo)"), required=False)
    reason = forms.CharField(
        label=_("why no legal step is due"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(StyledForm):
    """Optional remarks on closing; the service checks the three "not let go"."""

    cause_found = forms.CharField(
        label=_("cause found"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    responsible_dealt_with = forms.CharField(
        label=_("those responsible dealt with"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measures_taken = forms.CharField(
        label=_("measures taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
