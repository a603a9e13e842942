"""Forms of the ledger's pages: plain forms whose cleaned data the views hand to the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.choices import MeterPhase
from gridcheck.metering.choices import ACCEPTANCE_CHECKLIST, AssetKind, ChangeReason, FaultKind, FaultOutcome
from gridcheck.metering.models import DeviceType

DATE = {"type": "date", "class": "form-control form-control-sm"}
TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
NUMBER = {"class": "form-control form-control-sm", "inputmode": "decimal"}


def _date_field(label, required=True, initial_today=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE),
        initial=timezone.localdate if initial_today else None,
    )


def _text(label, required=True, max_length=200):
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=TEXT)
    )


def _area(label, required=True):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


def _choice(label, choices, required=True):
    return forms.ChoiceField(
        label=label, choices=choices, required=required, widget=forms.Select(attrs=SELECT)
    )


def _register(label, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )


class DeviceTypeForm(forms.Form):
    kind = _choice(_("kind"), AssetKind.choices)
    manufacturer = _text(_("manufacturer"), max_length=100)
    model_number = _text(_("type"), max_length=60)
    accuracy_class = _text(_("accuracy class"), required=False, max_length=10)
    approval_number = _text(_("type approval number"), required=False, max_length=60)
    approval_valid_until = _date_field(_("type approval valid until"), required=False)


class ObsoleteForm(forms.Form):
    reason = _text(_("why obsolete"))


class AssetReceiveForm(forms.Form):
    kind = _choice(_("kind"), AssetKind.choices)
    asset_number = _text(_("asset number"), max_length=40)
    device_type = forms.ModelChoiceField(
        queryset=DeviceType.objects.filter(obsolete=False),
        label=_("device type"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    accuracy_class = _text(_("accuracy class"), required=False, max_length=10)
    serial_number = _text(_("serial number"), required=False, max_length=60)
    manufacturer = _text(_("manufacturer"), required=False, max_length=100)
    manufactured_on = _date_field(_("manufactured on"), required=False)
    first_verified_on = _date_field(_("verified on"), required=False)
    phase = _choice(_("phase"), [("", "—"), *MeterPhase.choices], required=False)
    rated_current_a = forms.DecimalField(
        label=_("rated (basic) current [A]"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    max_current_a = forms.DecimalField(
        label=_("maximum current [A]"), required=False, min_value=0, widget=forms.NumberInput(attrs=NUMBER)
    )
    ratio = forms.DecimalField(
        label=_("ratio"), required=False, min_value=0, widget=forms.NumberInput(attrs=NUMBER)
    )
    rated_primary = _text(_("rated primary/secondary"), required=False, max_length=30)


class VerifyForm(forms.Form):
    verified_on = _date_field(_("verified on"), initial_today=True)
    note = _text(_("note"), required=False)


class FaultForm(forms.Form):
    found_on = _date_field(_("found on"), initial_today=True)
    kind = _choice(_("fault"), FaultKind.choices)
    description = _area(_("description"), required=False)


class FaultCloseForm(forms.Form):
    outcome = _choice(_("outcome"), [c for c in FaultOutcome.choices if c[0] != FaultOutcome.PENDING])
    note = _text(_("outcome note"), required=False)


class RemoveForm(forms.Form):
    removed_on = _date_field(_("removed on"), initial_today=True)
    to_stock = forms.BooleanField(label=_("back to stock (sound)"), required=False)
    note = _text(_("note"), required=False)


class NoteForm(forms.Form):
    note = _text(_("note"), required=False)


class InstallForm(forms.Form):
    metering_point = _text(_("metering point code"), max_length=30)
    installed_on = _date_field(_("installed on"), initial_today=True)


class NoticeIssueForm(forms.Form):
    problem = _area(_("problem found"))


class NoticeCloseForm(forms.Form):
    outcome = _area(_("what was done"))


class AcceptanceForm(forms.Form):
    """Accept new metering on the phone: the point, the assets, every checklist item, the second person."""

    metering_point = _text(_("metering point code"), max_length=30)
    assets = _text(_("asset numbers (separated by spaces or commas)"), max_length=400)
    accepted_on = _date_field(_("accepted on"), initial_today=True)
    second_person = forms.ModelChoiceField(
        queryset=None, label=_("second person"), widget=forms.Select(attrs=SELECT)
    )
    note = _area(_("note"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["second_person"].queryset = staff
        for key, label in ACCEPTANCE_CHECKLIST:
            self.fields[f"check_{key}"] = forms.BooleanField(
                label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
            )

    def checklist(self) -> dict:
        return {key: bool(self.cleaned_data.get(f"check_{key}")) for key, _label in ACCEPTANCE_CHECKLIST}

    def check_fields(self):
        return [self[f"check_{key}"] for key, _label in ACCEPTANCE_CHECKLIST]


class MeterChangeForm(forms.Form):
    """A meter change on the phone: both meters, both registers, the seals, the second person."""

    old_asset = _text(_("old meter asset number"), max_length=40)
    new_asset = _text(_("new meter asset number"), max_length=40)
    changed_on = _date_field(_("changed on"), initial_today=True)
    reason = _choice(_("reason"), ChangeReason.choices)
    old_total = _register(_("old meter final total"), required=True)
    old_peak = _register(_("old meter final peak"))
    old_flat = _register(_("old meter final flat"))
    old_valley = _register(_("old meter final valley"))
    new_total = _register(_("new meter start total"), required=True)
    new_peak = _register(_("new meter start peak"))
    new_flat = _register(_("new meter start flat"))
    new_valley = _register(_("new meter start valley"))
    seals_removed = _text(_("seals opened (numbers)"), required=False, max_length=400)
    seals_used = _text(_("seals fitted (numbers)"), max_length=400)
    second_person = forms.ModelChoiceField(
        queryset=None, label=_("second person"), widget=forms.Select(attrs=SELECT)
    )
    note = _area(_("note"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["second_person"].queryset = staff

    def registers(self, prefix: str) -> dict:
        return {
            name: self.cleaned_data.get(f"{prefix}_{name}") for name in ("total", "peak", "flat", "valley")
        }


def split_numbers(text: str) -> list[str]:
    """Numbers typed in one field, separated by spaces, commas or Chinese commas."""
    for sep in ("，", "、", ",", ";", "；", "\n"):
        text = (text or "").replace(sep, " ")
    return [part for part in text.split() if part]
