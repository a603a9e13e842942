"""Forms of the census pages: a campaign with its teams, a proposal, a decision."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.census.choices import Resolution
from gridcheck.core.periods import PeriodError, quarter_bounds, quarter_of, quarter_parse
from gridcheck.core.scoping import scope_queryset
from gridcheck.users.models import User

#: Team rows offered on the campaign form.
TEAM_ROWS = 4

SELECT = {"class": "form-select"}
MULTI = {"class": "form-select", "size": 6}
TEXT = {"class": "form-control"}


class CampaignForm(forms.Form):
    station = forms.ModelChoiceField(
        Station.objects.none(), label=_("station"), widget=forms.Select(attrs=SELECT)
    )
    quarter = forms.CharField(
        label=_("quarter"), max_length=7, widget=forms.TextInput(attrs=TEXT), help_text=_("e.g. 2026Q4")
    )
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    areas = forms.ModelMultipleChoiceField(
        Area.objects.none(), label=_("transformer areas"), widget=forms.SelectMultiple(attrs=MULTI)
    )

    def __init__(self, *args, user, **kwargs):
        today = timezone.localdate()
        year, q = quarter_of(today)
        first, last = quarter_bounds(year, q)
        kwargs.setdefault(
            "initial", {"quarter": f"{year}Q{q}", "starts_on": max(first, today), "ends_on": last}
        )
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = scope_queryset(Station.objects.all(), user)
        self.fields["areas"].queryset = scope_queryset(Area.objects.select_related("owner"), user).order_by(
            "code"
        )
        if user.station_id:
            self.fields["station"].initial = user.station_id

    def clean_quarter(self):
        try:
            year, q = quarter_parse(self.cleaned_data["quarter"])
        except PeriodError as error:
            raise forms.ValidationError(error.messages) from None
        return f"{year}Q{q}"


class TeamForm(forms.Form):
    name = forms.CharField(label=_("team"), max_length=50, required=False, widget=forms.TextInput(attrs=TEXT))
    members = forms.ModelMultipleChoiceField(
        User.objects.none(), label=_("members"), required=False, widget=forms.SelectMultiple(attrs=MULTI)
    )
    areas = forms.ModelMultipleChoiceField(
        Area.objects.none(),
        label=_("transformer areas"),
        required=False,
        widget=forms.SelectMultiple(attrs=MULTI),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True).exclude(role__in=["customer", "government_liaison"])
        if user.station_id:
            staff = staff.filter(station_id=user.station_id)
        self.fields["members"].queryset = staff.order_by("username")
        self.fields["areas"].queryset = scope_queryset(Area.objects.all(), user).order_by("code")

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("name") or data.get("members") or data.get("areas"))


class ProposeForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("resolution"), choices=Resolution.choices, widget=forms.Select(attrs=SELECT)
    )
    new_tariff_code = forms.CharField(
        label=_("new tariff code"), max_length=30, required=False, widget=forms.Select(attrs=SELECT)
    )
    case_kind = forms.ChoiceField(
        label=_("case kind"),
        required=False,
        choices=[("", "—"), ("theft", _("Electricity theft")), ("violation", _("Contract violation"))],
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
