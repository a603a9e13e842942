"""Forms of the seal and pliers pages: thin wrappers; the services decide."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Meter
from gridcheck.seals.choices import SealUseReason
from gridcheck.users.models import User


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)


class SealBatchForm(BootstrapMixin, forms.Form):
    prefix = forms.CharField(label=_("prefix"), max_length=10)
    start_number = forms.IntegerField(label=_("first number"), min_value=0)
    end_number = forms.IntegerField(label=_("last number"), min_value=0)
    digits = forms.IntegerField(label=_("digits"), min_value=1, max_value=12, initial=6)
    received_on = forms.DateField(
        label=_("received on"),
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SealIssueForm(BootstrapMixin, forms.Form):
    """Issue (or take back) the seals of a number range."""

    first = forms.CharField(label=_("first seal number"), max_length=30)
    last = forms.CharField(label=_("last seal number"), max_length=30, required=False)
    staff = forms.ModelChoiceField(label=_("staff member"), queryset=User.objects.none())

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["staff"].queryset = staff


class SealUseForm(BootstrapMixin, forms.Form):
    meter = forms.CharField(label=_("meter asset number"), max_length=40)
    reason = forms.ChoiceField(label=_("reason"), choices=SealUseReason.choices)
    photo = forms.ImageField(label=_("photo"), required=False)

    def clean_meter(self):
        meter = Meter.objects.filter(asset_number=self.cleaned_data["meter"].strip()).first()
        if meter is None:
            raise forms.ValidationError(_("No meter with this asset number."))
        return meter


class SealBreakForm(BootstrapMixin, forms.Form):
    """Unseal for work (with the second person) or report the seal found broken."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=[("unsealed", _("Unsealed for work")), ("found_broken", _("Found broken"))]
    )
    second_person = forms.ModelChoiceField(
        label=_("second person"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(label=_("photo"), required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["second_person"].queryset = staff


class PliersForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("pliers code"), max_length=30)
    description = forms.CharField(label=_("description"), max_length=100, required=False)


class PliersIssueForm(BootstrapMixin, forms.Form):
    issued_to = forms.ModelChoiceField(label=_("signed out to"), queryset=User.objects.none())
    purpose = forms.CharField(label=_("purpose"), max_length=200)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["issued_to"].queryset = staff
