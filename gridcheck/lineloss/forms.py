"""Forms of loss management (phones: one column). The services validate again and name the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.lineloss.choices import AnalysisCause, TheoreticalMethod

SM = {"class": "form-control form-control-sm"}
SEL = {"class": "form-select form-select-sm"}


class IndicatorForm(forms.Form):
    station = forms.ModelChoiceField(queryset=None, label=_("Station"), widget=forms.Select(attrs=SEL))
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={**SM, "type": "month"}))
    whole_year = forms.BooleanField(
        label=_("The same indicator for the rest of the year"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    max_loss_rate_percent = forms.DecimalField(
        label=_("Maximum loss rate [%]"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SM, "step": "0.01"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False, widget=forms.TextInput(attrs=SM))

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class AreaTargetForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.HiddenInput())
    max_loss_rate_percent = forms.DecimalField(
        label=_("Maximum loss rate [%]"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SM, "step": "0.01"}),
    )


class AnalysisForm(forms.Form):
    cause = forms.ChoiceField(
        label=_("Cause identified"), choices=AnalysisCause.choices, widget=forms.Select(attrs=SEL)
    )
    cause_detail = forms.CharField(label=_("Cause in detail"), widget=forms.Textarea(attrs={**SM, "rows": 3}))
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={**SM, "rows": 3}))
    analysed_on = forms.DateField(
        label=_("Analysed on"), widget=forms.DateInput(attrs={**SM, "type": "date"}, format="%Y-%m-%d")
    )


class PlanForm(forms.Form):
    measures = forms.CharField(
        label=_("Measures of the plan"), widget=forms.Textarea(attrs={**SM, "rows": 3})
    )
    responsible = forms.ModelChoiceField(
        queryset=None, label=_("Responsible"), widget=forms.Select(attrs=SEL)
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people


class PlanCloseForm(forms.Form):
    result = forms.CharField(label=_("Rectification result"), widget=forms.Textarea(attrs={**SM, "rows": 2}))


class TheoryForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"), choices=TheoreticalMethod.choices, widget=forms.Select(attrs=SEL)
    )
    calculated_on = forms.DateField(
        label=_("Calculated on"), widget=forms.DateInput(attrs={**SM, "type": "date"}, format="%Y-%m-%d")
    )
    loss_rate_percent = forms.DecimalField(
        label=_("Theoretical loss rate [%]"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={**SM, "step": "0.001"}),
        help_text=_("Entered method: the rate of the calculation report."),
    )
    resistance_ohm = forms.DecimalField(
        label=_("Equivalent resistance of the low-voltage network [Ω]"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={**SM, "step": "0.001"}),
        help_text=_("Computed method (DL/T 686 equivalent-resistance method)."),
    )
    supply_kwh = forms.DecimalField(
        label=_("Supply [kWh]"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=SM),
        help_text=_("Empty: the area's supply over the last 12 months."),
    )
    hours = forms.DecimalField(
        label=_("Hours"), required=False, min_value=1, widget=forms.NumberInput(attrs=SM)
    )
    no_load_loss_kw = forms.DecimalField(
        label=_("Transformer no-load loss [kW]"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={**SM, "step": "0.001"}),
        help_text=_("Only when the area's summary meter is on the transformer's high-voltage side."),
    )
    load_loss_kw = forms.DecimalField(
        label=_("Transformer load loss [kW]"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={**SM, "step": "0.001"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False, widget=forms.TextInput(attrs=SM))

    def clean(self):
        data = super().clean()
        if data.get("method") == TheoreticalMethod.ENTERED and data.get("loss_rate_percent") is None:
            self.add_error("loss_rate_percent", _("Enter the rate of the calculation report."))
        if data.get("method") == TheoreticalMethod.COMPUTED and data.get("resistance_ohm") is None:
            self.add_error("resistance_ohm", _("Enter the network's equivalent resistance."))
        return data
