"""Forms of the audit pages: start a run, change a rule, and each step of a finding."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.audit.choices import Module, Severity, Theme
from gridcheck.core.periods import month_parse
from gridcheck.core.roles import Role

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _all(label):
    return [("", label)]


class RunStartForm(forms.Form):
    """An audit run: the month, optionally one area within the user's scope (按台区主题稽查), one theme,
    one module."""

    month = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month", **CONTROL})
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Transformer area"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Whole county"),
        widget=forms.Select(attrs=SELECT),
        help_text=gettext_lazy("A themed audit of one area (按台区主题稽查)."),
    )
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False, widget=forms.Select(attrs=SELECT))
    module = forms.ChoiceField(
        label=gettext_lazy("Module"), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["theme"].choices = _all(_("Every theme")) + list(Theme.choices)
        self.fields["module"].choices = _all(_("Every module")) + list(Module.choices)

    def clean_month(self):
        try:
            month = month_parse(self.cleaned_data["month"])
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("A month that has not begun cannot be audited."))
        return month


class RuleChangeForm(forms.Form):
    """A new version of a rule from a day: on/off, each threshold, severity, deadline, owner, reason.
    The ranges are checked by ``services.rule_version_change`` (its refusal is shown on the form)."""

    enabled = forms.BooleanField(
        label=gettext_lazy("Enabled"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), choices=Severity.choices, widget=forms.Select(attrs=SELECT)
    )
    deadline_days = forms.IntegerField(
        label=gettext_lazy("Deadline [days]"),
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs=CONTROL),
    )
    owner_role = forms.ChoiceField(label=gettext_lazy("Owner role"), widget=forms.Select(attrs=SELECT))
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"),
        widget=forms.DateInput(attrs={"type": "date", **CONTROL}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=250, widget=forms.TextInput(attrs=CONTROL)
    )

    def __init__(self, *args, rule, version=None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if version is not None:
            initial = {
                "enabled": version.enabled,
                "severity": version.severity,
                "deadline_days": version.deadline_days,
                "owner_role": version.owner_role,
                "effective_from": timezone.localdate(),
                **{f"param_{name}": value for name, value in version.params.items()},
                **initial,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.rule = rule
        self.fields["owner_role"].choices = [(v, label) for v, label in Role.choices if v != Role.CUSTOMER]
        self.param_names = []
        for name, allowed in rule.param_spec.items():
            field_name = f"param_{name}"
            self.param_names.append((name, field_name))
            self.fields[field_name] = forms.CharField(
                label=allowed.get("label") or name,
                help_text=_("%(low)s to %(high)s %(unit)s")
                % {
                    "low": allowed.get("minimum"),
                    "high": allowed.get("maximum"),
                    "unit": allowed.get("unit", ""),
                },
                widget=forms.TextInput(attrs={**CONTROL, "inputmode": "decimal"}),
            )

    def setting_fields(self):
        return [
            self[name] for name in ("severity", "deadline_days", "owner_role", "effective_from", "reason")
        ]

    def threshold_fields(self):
        return [self[field_name] for _name, field_name in self.param_names]

    def params(self) -> dict:
        return {name: self.cleaned_data[field_name] for name, field_name in self.param_names}

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < datetime.date(2000, 1, 1):
            raise forms.ValidationError(_("Choose a later day."))
        return day


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"), queryset=None, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=500, widget=forms.TextInput(attrs=CONTROL)
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        from gridcheck.users.models import User

        self.fields["assignee"].queryset = User.objects.filter(pk__in=[u.pk for u in candidates]).order_by(
            "station_id", "role", "username"
        )
        self.fields["assignee"].label_from_instance = lambda u: f"{str(u)} · {u.get_role_display()}"


class RectifyForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("What was rectified"),
        max_length=2000,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 3}),
    )


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("accept", "accept"), ("reject", "reject")), widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        help_text=gettext_lazy("A rejection needs a note."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=500, widget=forms.TextInput(attrs=CONTROL)
    )


class DismissRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it not a problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 3}),
    )


class DismissDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", "approve"), ("refuse", "refuse")), widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        help_text=gettext_lazy("A refusal needs a note."),
    )
