"""Form and filter fields for moments (date and time) as users and API clients send them.

A time sent with an offset is converted to the station's time zone (Asia/Shanghai) before it reaches
the database: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (``+17:16``), and a moment
outside the years a station's records can have (``periods.MIN_YEAR``..``MAX_YEAR``) is a form error,
never a server error.
"""

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.core.periods import MAX_YEAR, MIN_YEAR


class LocalDateTimeField(forms.DateTimeField):
    """A ``DateTimeField`` whose value is always in the current time zone and within the record years."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        if timezone.is_aware(moment):
            try:
                moment = timezone.localtime(moment)
            except OverflowError as exc:
                raise forms.ValidationError(_("Enter a valid date/time."), code="invalid") from exc
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("The year must lie between %(low)s and %(high)s."),
                code="invalid",
                params={"low": MIN_YEAR, "high": MAX_YEAR},
            )
        return moment


class LocalIsoDateTimeField(LocalDateTimeField):
    """The same, reading ISO 8601 as django-filter's ``IsoDateTimeField`` does (for API filters)."""

    input_formats = [django_filters.fields.IsoDateTimeField.ISO_8601, *forms.DateTimeField.input_formats]

    def strptime(self, value, format):
        return django_filters.fields.IsoDateTimeField().strptime(value, format)


class LocalDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter through ``LocalIsoDateTimeField``."""

    field_class = LocalIsoDateTimeField


class ValuesInsertJSONField(models.JSONField):
    """A ``JSONField`` whose bulk inserts write one ``VALUES`` row per object on PostgreSQL.

    Django 5.2 bulk-inserts through ``UNNEST`` of one array per column; with psycopg's client-side
    binding each array of large JSON documents (a bill's itemised calculation) is quoted in Python, one
    regular-expression substitution per character class, which cost a 10,000-customer bill run 18 of its
    31 s. A field with its own placeholder keeps Django on the plain ``VALUES`` insert, where each value is
    quoted by libpq.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"
