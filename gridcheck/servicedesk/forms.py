"""The forms of the electricians' service desk (portal and staff side); the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.hazards.forms import MultipleFileInput, MultiplePhotoField
from gridcheck.servicedesk.choices import (
    AnnouncementKind,
    AnnouncementReach,
    Audience,
    CampaignKind,
    ComplaintChannel,
    ComplaintSubject,
    FeedbackKind,
    Rating,
    Topic,
    TrainingKind,
)

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class AskForm(forms.Form):
    """An electrician's question, with photos (each checked by core's upload path)."""

    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, widget=forms.Select(attrs=SELECT))
    subject = forms.CharField(label=_("subject"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    question = forms.CharField(
        label=_("question"), max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("answer"), max_length=8000, widget=forms.Textarea(attrs={**TEXT, "rows": 6})
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("satisfaction"),
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("comment on the answer"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class PublishForm(forms.Form):
    """The texts to publish; names, account numbers and phone numbers are removed whatever is typed."""

    title = forms.CharField(
        label=_("title"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    question = forms.CharField(
        label=_("question"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    answer = forms.CharField(
        label=_("answer"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )


class ComplaintForm(forms.Form):
    """A complaint from the portal."""

    subject = forms.ChoiceField(
        label=_("service"), choices=ComplaintSubject.choices, widget=forms.Select(attrs=SELECT)
    )
    text = forms.CharField(
        label=_("complaint"), max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )


STAFF_CHANNELS = [c for c in ComplaintChannel.choices if c[0] != ComplaintChannel.PORTAL]


class ComplaintEnterForm(forms.Form):
    """A complaint taken by the hotline, WeChat or Weibo, entered by staff."""

    channel = forms.ChoiceField(label=_("channel"), choices=STAFF_CHANNELS, widget=forms.Select(attrs=SELECT))
    customer = forms.CharField(
        label=_("customer account number"), max_length=30, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    author_name = forms.CharField(label=_("complainant"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    author_phone = forms.CharField(
        label=_("complainant's phone"), max_length=30, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    subject = forms.ChoiceField(
        label=_("service"), choices=ComplaintSubject.choices, widget=forms.Select(attrs=SELECT)
    )
    about_staff = forms.CharField(
        label=_("member of staff complained about (login)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    text = forms.CharField(
        label=_("complaint"), max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )


class ComplaintCloseForm(forms.Form):
    note = forms.CharField(
        label=_("closing note"), max_length=1000, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=FeedbackKind.choices, widget=forms.Select(attrs=SELECT))
    text = forms.CharField(
        label=_("feedback"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )


class GuidanceForm(forms.Form):
    """A new document of the guidance library with its first version (a PDF attachment is optional)."""

    title = forms.CharField(label=_("title"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    audience = forms.ChoiceField(
        label=_("audience"), choices=Audience.choices, widget=forms.Select(attrs=SELECT)
    )
    must_acknowledge = forms.BooleanField(label=_("must be acknowledged"), required=False)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={**TEXT, "rows": 8}))
    attachment = forms.FileField(
        label=_("attachment (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf", "class": "form-control"}),
    )


class VersionForm(forms.Form):
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={**TEXT, "rows": 8}))
    attachment = forms.FileField(
        label=_("attachment (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf", "class": "form-control"}),
    )


class AnnouncementForm(forms.Form):
    """An announcement to the station's customers (a county-level user: the county's)."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=AnnouncementKind.choices, widget=forms.Select(attrs=SELECT)
    )
    reach = forms.ChoiceField(
        label=_("reaches"), choices=AnnouncementReach.choices, widget=forms.Select(attrs=SELECT)
    )
    title = forms.CharField(label=_("title"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(label=_("text"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 5}))
    by_email = forms.BooleanField(label=_("by e-mail"), required=False, initial=True)
    by_sms = forms.BooleanField(label=_("by SMS"), required=False)


class TrainingForm(forms.Form):
    """A training or drill of the station: who is invited, the material, a quiz typed one question a line."""

    kind = forms.ChoiceField(label=_("kind"), choices=TrainingKind.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label=_("title"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    starts_at = forms.DateTimeField(
        label=_("starts at"), widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"})
    )
    place = forms.CharField(label=_("place"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    invite = forms.ChoiceField(
        label=_("invite"),
        choices=[
            ("electricians", _("Customers with an electrician on the portal")),
            ("high_risk", _("High-risk customers")),
            ("important", _("Important customers")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    material = forms.FileField(
        label=_("material (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf", "class": "form-control"}),
    )
    questions = forms.CharField(
        label=_("quiz (one question a line: question | option | option … | number of the right option)"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )


class AttachmentsField(MultiplePhotoField):
    """Photos (JPEG, PNG) or PDFs in one input; each is checked by the service (core's upload path)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,application/pdf", "class": "form-control"}
            ),
        )
        super().__init__(*args, **kwargs)


class ThreadForm(forms.Form):
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label=_("title"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    text = forms.CharField(label=_("text"), max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 4}))
    attachments = AttachmentsField(label=_("attachments (photos or PDF)"), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("reply"), max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    official = forms.BooleanField(label=_("official answer"), required=False)
    attachments = AttachmentsField(label=_("attachments (photos or PDF)"), required=False)


class CampaignForm(forms.Form):
    """An anti-theft publicity campaign: where, when, what, the materials and the reach, photos."""

    kind = forms.ChoiceField(
        label=_("kind of activity"), choices=CampaignKind.choices, widget=forms.Select(attrs=SELECT)
    )
    place = forms.CharField(label=_("place"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    held_at = forms.DateTimeField(
        label=_("date and time"), widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"})
    )
    materials = forms.CharField(
        label=_("materials used (one a line: material | quantity)"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    people_reached = forms.IntegerField(
        label=_("people reached"), min_value=0, required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    leaflets_handed_out = forms.IntegerField(
        label=_("leaflets handed out"), min_value=0, required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    customers_visited = forms.IntegerField(
        label=_("customers visited"), min_value=0, required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    organiser = forms.ModelChoiceField(
        label=_("organiser"), queryset=None, required=False, widget=forms.Select(attrs=SELECT)
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        from gridcheck.users.models import User

        self.fields["organiser"].queryset = staff if staff is not None else User.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=1000, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class TypicalCasePrepareForm(forms.Form):
    """The closed case to draft a typical case from (of the user's scope, not drafted yet)."""

    case = forms.ModelChoiceField(label=_("closed case"), queryset=None, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        from gridcheck.cases.models import Case

        self.fields["case"].queryset = cases if cases is not None else Case.objects.none()
        self.fields["case"].label_from_instance = lambda c: (
            f"{c.number} · {c.type_display} · {c.closed_on or ''}"
        )


class TypicalCaseForm(forms.Form):
    """The texts of a draft typical case (personal data is removed again when saved)."""

    title = forms.CharField(label=_("title"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    text = forms.CharField(label=_("case description"), widget=forms.Textarea(attrs={**TEXT, "rows": 8}))
    legal_basis = forms.CharField(
        label=_("legal basis"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    outcome = forms.CharField(
        label=_("outcome"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class TypicalPublishForm(forms.Form):
    announce = forms.BooleanField(label=_("also publish as an announcement on the portal"), required=False)
