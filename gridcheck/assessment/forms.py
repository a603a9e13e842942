"""Forms of the assessment pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.assessment.choices import AdjustmentKind, Direction, Scoring, Subject, Unit


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("month"), widget=forms.TextInput(attrs={"type": "month", "class": "form-control"})
    )


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=AdjustmentKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    points = forms.DecimalField(
        label=_("points"),
        min_value=0.01,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
    )
    reason = forms.CharField(
        label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    evidence = forms.FileField(
        label=_("evidence (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("comment"), max_length=300, required=False)


class KpiForm(forms.Form):
    code = forms.SlugField(
        label=_("KPI code"), max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    name = forms.CharField(
        label=_("KPI"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    subject = forms.ChoiceField(
        label=_("assessed"), choices=Subject.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    formula = forms.CharField(
        label=_("formula"), max_length=500, widget=forms.TextInput(attrs={"class": "form-control gc-mono"})
    )
    unit = forms.ChoiceField(
        label=_("unit"), choices=Unit.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    direction = forms.ChoiceField(
        label=_("direction"), choices=Direction.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    target = forms.DecimalField(
        label=_("target"),
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    weight = forms.DecimalField(
        label=_("points"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    scoring = forms.ChoiceField(
        label=_("scoring"), choices=Scoring.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    fine_rule = forms.CharField(
        label=_("fine per unit (rule)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control gc-mono"}),
    )
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)
    effective_from = forms.DateField(
        label=_("effective from"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    reason = forms.CharField(
        label=_("reason"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class EvaluateForm(forms.Form):
    year = forms.IntegerField(
        label=_("year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
