"""Filters of the arrears list: station, area, area manager, ageing bucket, search; the day of reckoning."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.collection.models import Receivable
from gridcheck.collection.selectors.reports import AGEING_BUCKETS, BUCKETS


def _area_owners(request=None):
    return (
        get_user_model()
        .objects.filter(pk__in=Area.objects.exclude(owner=None).values("owner"))
        .order_by("full_name", "username")
    )


class ArrearsFilterSet(django_filters.FilterSet):
    """``as_of`` (the day the arrears are reckoned, set by the page) ages the ``bucket`` filter."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    owner = django_filters.ModelChoiceFilter(
        queryset=_area_owners, field_name="area__owner", label=_("area manager")
    )
    bucket = django_filters.ChoiceFilter(
        choices=[(b.key, b.label) for b in AGEING_BUCKETS], label=_("ageing"), method="filter_bucket"
    )
    as_of = django_filters.DateFilter(
        label=_("as of"), method="filter_as_of", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Receivable
        fields = ["station", "area"]

    def __init__(self, *args, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__account_number__startswith=value) | Q(customer__name__icontains=value)
        )

    def filter_bucket(self, queryset, name, value):
        bucket = BUCKETS.get(value)
        if bucket is None or self.as_of is None:
            return queryset
        return queryset.filter(**bucket.due_range(self.as_of))

    def filter_as_of(self, queryset, name, value):
        return queryset  # the page reckons the arrears on this day (``selectors.reports.arrears``)
