"""Forms of the dunning and disconnection pages; they only collect input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.collection.choices import DunningChannel


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class IssueForm(StyledForm):
    """One notice to one customer."""

    channel = forms.ChoiceField(
        label=_("channel"), choices=DunningChannel.choices, initial=DunningChannel.PAPER
    )


class IssueDueForm(StyledForm):
    """Every notice due today at a station; the channel chosen per customer unless one is forced."""

    AUTO = ""
    station = forms.ModelChoiceField(label=_("station"), queryset=None)
    channel = forms.ChoiceField(
        label=_("channel"),
        required=False,
        choices=[
            (AUTO, _("SMS where the customer has a phone number, paper otherwise")),
            *DunningChannel.choices,
        ],
    )

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].initial = stations.first()


class DeliveryForm(StyledForm):
    note = forms.CharField(
        label=_("delivery record"),
        max_length=200,
        help_text=_("Who signed for it, or how it was left (e.g. handed to the customer's wife)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ProposeForm(StyledForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StyledForm):
    note = forms.CharField(label=_("note"), required=False, max_length=500)
