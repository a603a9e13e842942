"""Filters of the detection lists and API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.core.runs import RunStatus
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import DetectionRun, Suspect


class SuspectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    month = django_filters.DateFilter(label=_("month"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    status = django_filters.ChoiceFilter(choices=SuspectStatus.choices, label=_("status"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("minimum score"))
    run = django_filters.NumberFilter(field_name="run_id", label=_("detection run"))
    within_capacity = django_filters.BooleanFilter(label=_("on this month's inspection list"))

    class Meta:
        model = Suspect
        fields = ["q", "month", "station", "area", "status", "min_score", "run", "within_capacity"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(customer__account_number__startswith=value)
            | queryset.filter(customer__name__icontains=value)
            | queryset.filter(meter_number__startswith=value)
        )


class DetectionRunFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    month = django_filters.DateFilter(label=_("month"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("status"))

    class Meta:
        model = DetectionRun
        fields = ["q", "month", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(model_version__icontains=value) | queryset.filter(error__icontains=value)
