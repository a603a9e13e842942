"""Forms of payments, bank files, reversals and the month close."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.collection.choices import PaymentChannel, PaymentKind
from gridcheck.collection.services.bankfiles import BANK_CHANNELS


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


#: Channels a person records at the desk or in the field (bank files come through their import).
DESK_CHANNELS = [
    (value, label)
    for value, label in PaymentChannel.choices
    if value not in (PaymentChannel.BANK_WITHHOLDING, PaymentChannel.BANK_AGENT)
]


class PaymentForm(StyledForm):
    amount_yuan = forms.CharField(
        label=_("amount received [yuan]"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("payment for"), choices=PaymentKind.choices, initial=PaymentKind.BILLS)
    channel = forms.ChoiceField(label=_("channel"), choices=DESK_CHANNELS, initial=PaymentChannel.COUNTER)
    receipt_number = forms.CharField(
        label=_("receipt number"),
        max_length=40,
        required=False,
        help_text=_(
            "The number of the paper receipt handed over; left empty, an electronic receipt is issued."
        ),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=120)
    expected_balance_yuan = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)


class ReversalRequestForm(StyledForm):
    reason = forms.CharField(
        label=_("reason for the reversal"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BankFileForm(StyledForm):
    file = forms.FileField(
        label=_("result file (CSV or XLSX)"),
        help_text=_("Columns: 户号, 金额, 银行流水号, 扣款日期 (UTF-8 or GBK CSV, or XLSX)."),
    )
    bank = forms.CharField(label=_("bank"), max_length=60)
    channel = forms.ChoiceField(
        label=_("channel"),
        choices=[(v, label) for v, label in PaymentChannel.choices if v in BANK_CHANNELS],
        initial=PaymentChannel.BANK_WITHHOLDING,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.txt"


class MonthCloseForm(StyledForm):
    station = forms.ModelChoiceField(label=_("station"), queryset=None)
    month = forms.CharField(
        label=_("month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    )

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["station"].widget.attrs["class"] = "form-select"

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        try:
            return datetime.datetime.strptime(value[:7], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("A month as YYYY-MM.")) from None
