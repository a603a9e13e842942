"""Forms of the cash pages (stock, cancellations, deposits, remittance, report periods); the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.billing.forms import DATE, DecisionForm, MonthField, StyledForm
from gridcheck.collection.choices import StockKind

__all__ = [
    "CancelForm",
    "DecisionForm",
    "DepositForm",
    "MonthField",
    "ReasonForm",
    "RemitForm",
    "StockIssueForm",
]


class StockIssueForm(StyledForm):
    station = forms.ModelChoiceField(label=_("station"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=StockKind.choices)
    series = forms.CharField(label=_("series"), max_length=20)
    first_number = forms.IntegerField(label=_("first number"), min_value=1, max_value=99_999_999)
    last_number = forms.IntegerField(label=_("last number"), min_value=1, max_value=99_999_999)
    holder = forms.ModelChoiceField(label=_("collector"), queryset=None)

    def __init__(self, *args, stations, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["holder"].queryset = holders
        self.fields["holder"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"
        if stations.count() == 1:
            self.fields["station"].initial = stations.first().pk
            self.fields["station"].widget = forms.HiddenInput()


class CancelForm(StyledForm):
    number = forms.IntegerField(label=_("receipt number"), min_value=1, max_value=99_999_999)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DepositForm(StyledForm):
    collector = forms.ModelChoiceField(label=_("collector"), queryset=None)
    collection_day = forms.DateField(label=_("collection day"), widget=DATE)
    deposited_on = forms.DateField(label=_("deposited on"), widget=DATE)
    amount_yuan = forms.CharField(
        label=_("amount [yuan]"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    bank = forms.CharField(label=_("bank"), max_length=60)
    slip_number = forms.CharField(label=_("deposit slip number"), max_length=60)

    def __init__(self, *args, collectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors
        self.fields["collector"].label_from_instance = lambda u: (
            f"{u.full_name or u.username}（{u.username}）"
        )
        if collectors.count() == 1:
            self.fields["collector"].initial = collectors.first().pk
            self.fields["collector"].widget = forms.HiddenInput()


class RemitForm(StyledForm):
    deposits = forms.ModelMultipleChoiceField(
        label=_("deposits"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    remitted_on = forms.DateField(label=_("remitted on"), widget=DATE)
    reference = forms.CharField(label=_("remittance reference"), max_length=60)

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposits"].queryset = deposits
