"""Filters of the meter-data lists and API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Line, Station
from gridcheck.readings.choices import ImportKind, ImportStatus
from gridcheck.readings.models import MeterDataImport, ReadingRate


class MeterDataImportFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="file_name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=ImportKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices, label=_("status"))

    class Meta:
        model = MeterDataImport
        fields = ["q", "kind", "status"]


class ReadingRateFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="reading_date", lookup_expr="gte", label=_("from"))
    date_to = django_filters.DateFilter(field_name="reading_date", lookup_expr="lte", label=_("to"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    line = django_filters.ModelChoiceFilter(queryset=Line.objects.all(), label=_("line"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = ReadingRate
        fields = ["date_from", "date_to", "station", "line", "area"]
