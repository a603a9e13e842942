"""Forms of the hazard pages; they only collect input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Customer
from gridcheck.core.scoping import scoped
from gridcheck.hazards import selectors
from gridcheck.hazards.models import Hazard
from gridcheck.users.models import User


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by the service that stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "class": "form-control"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


#: At most this many customers are named when a name matches several.
CUSTOMER_CANDIDATES = 5


def customer_by_what_a_clerk_knows(text: str, user):
    """The customer a clerk means by ``text``: their account number (户号), a meter asset number, or
    their name (one match; the picker fills in the account number). Within the user's scope only.
    Raises a ``ValidationError`` in Chinese that says what was not found or which customers match."""
    text = " ".join((text or "").split())
    if not text:
        raise forms.ValidationError(_("Enter the customer's account number or name."), code="required")
    customers = (
        selectors.visible(Customer.objects.all(), user) if user is not None else Customer.objects.none()
    )
    found = customers.filter(account_number=text).first()
    if found is None:
        found = customers.filter(metering_points__meters__asset_number=text).first()
    if found is not None:
        return found
    # "0101 客户名" as the picker shows it: the account number first.
    head = text.split(" ", 1)[0]
    found = customers.filter(account_number=head).first() if head != text else None
    if found is not None:
        return found
    # Digits only are a number (an account, a meter, or an internal id a clerk should never need): no
    # name search, so "17" is refused instead of matching every name with a 17 in it.
    if text.isdigit():
        named = []
    else:
        named = list(
            customers.filter(name__icontains=text).order_by("account_number")[: CUSTOMER_CANDIDATES + 1]
        )
    if len(named) == 1:
        return named[0]
    if not named:
        raise forms.ValidationError(
            _("No customer of your station or areas has the account number, meter number or name %(text)s.")
            % {"text": text},
            code="not_found",
        )
    shown = "；".join(f"{c.account_number} {c.name}" for c in named[:CUSTOMER_CANDIDATES])
    raise forms.ValidationError(
        _("Several customers match %(text)s: %(shown)s. Enter the account number.")
        % {"text": text, "shown": shown},
        code="ambiguous",
    )


class HazardForm(forms.ModelForm):
    """Register a hazard (the service checks the deadline against the finding date). The customer is
    given as a clerk knows them: account number, meter number or name, with a picker (never an id)."""

    customer = forms.CharField(
        label=_("customer"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "hazard-customers", "autocomplete": "off"}),
    )
    photos = MultiplePhotoField(label=_("Photos before rectification"), required=False)

    class Meta:
        model = Hazard
        fields = [
            "customer",
            "category",
            "severity",
            "description",
            "consequence",
            "advice",
            "found_on",
            "deadline",
            "responsible_person",
            "responsible_phone",
            "responsible_staff",
            "found_by_inspection_ref",
        ]
        widgets = {
            "found_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "advice": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            # Only the staff the user may see (their station's, or everyone's at county level); a
            # customer outside the user's scope is refused by the view.
            self.fields["responsible_staff"].queryset = scoped(User, user).filter(is_active=True)
        self.fields["customer"].help_text = _(
            "Account number, meter asset number or name: type a few characters and pick the customer."
        )
        for name, field in self.fields.items():
            if name == "photos":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_customer(self):
        return customer_by_what_a_clerk_knows(self.cleaned_data.get("customer", ""), self.user)

    def clean(self):
        data = super().clean()
        found_on, deadline = data.get("found_on"), data.get("deadline")
        if found_on and deadline and deadline < found_on:
            self.add_error("deadline", _("The rectification deadline cannot be before the finding date."))
        return data


class ConfirmRectificationForm(forms.Form):
    """A customer portal user confirms a rectification with photos."""

    photos = MultiplePhotoField(label=_("Photos after rectification"))
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class PaperDeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("delivered on"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    received_by = forms.CharField(
        label=_("received by"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    receipt = forms.FileField(
        label=_("delivery receipt (scan)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


def _bootstrap(form):
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        field.widget.attrs.setdefault("class", css)


class DrillScheduleForm(forms.Form):
    customer = forms.IntegerField(label=_("customer"), widget=forms.HiddenInput)
    scenario = forms.CharField(label=_("scenario"), max_length=200)
    scheduled_on = forms.DateField(label=_("scheduled on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class DrillRecordForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label=_("participants"), widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class GovernmentContactForm(forms.Form):
    department = forms.CharField(label=_("department"), max_length=100)
    name = forms.CharField(label=_("name"), max_length=50)
    title = forms.CharField(label=_("job title"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    address = forms.CharField(label=_("address for paper delivery"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class CustomerContactForm(forms.Form):
    customer = forms.IntegerField(label=_("customer"), widget=forms.HiddenInput)
    name = forms.CharField(label=_("name"), max_length=50)
    role = forms.CharField(label=_("role at the customer"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("email"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class RiskWarningForm(forms.Form):
    customer = forms.IntegerField(label=_("customer"), widget=forms.HiddenInput)
    subject = forms.CharField(label=_("subject"), max_length=200)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 4}))
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=[("sms", _("SMS")), ("email", _("Email"))],
        initial=["sms", "email"],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class HazardCorrectForm(forms.ModelForm):
    """Correct a registered hazard (``services.hazard_correct``): its descriptive fields and why."""

    reason = forms.CharField(label=_("reason for the correction"), max_length=500)

    class Meta:
        model = Hazard
        fields = [
            "category",
            "severity",
            "description",
            "consequence",
            "advice",
            "deadline",
            "responsible_person",
            "responsible_phone",
            "responsible_staff",
            "found_by_inspection_ref",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "advice": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["responsible_staff"].queryset = scoped(User, user).filter(is_active=True)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _post_clean(self):
        # The service validates and saves; the form only reads the fields (no instance change here).
        pass


class HazardCancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for the cancellation"), max_length=500)
