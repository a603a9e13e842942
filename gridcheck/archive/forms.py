"""Forms of the archive pages."""

from django import forms
from django.core.exceptions import ValidationError

from gridcheck.archive.models import Area, Customer
from gridcheck.archive.services import CUSTOMER_EDITABLE_FIELDS
from gridcheck.core.identifiers import IdentifierError, clean_identifier
from gridcheck.core.scoping import scope_queryset


class IdentifierFormField(forms.CharField):
    """An account number or code typed by a person: normalised (full-width → ASCII, zero-width and
    other format characters removed, stripped) and refused when other characters remain
    (``gridcheck.core.identifiers``)."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return clean_identifier(value)
        except IdentifierError as error:
            raise ValidationError(str(error), code="invalid") from None


class CustomerForm(forms.ModelForm):
    """Edit a customer's archive record; the area offered are those within the user's scope.

    The tariff code is not here: it changes only through a category change application (billing).
    """

    class Meta:
        model = Customer
        fields = CUSTOMER_EDITABLE_FIELDS
        widgets = {"connected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = scope_queryset(Area.objects.select_related("station"), user)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
