"""Filters of the billing lists."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.billing.choices import (
    AdjustmentKind,
    AnomalyKind,
    AnomalyStatus,
    BillStatus,
    ChangeStatus,
    CycleStatus,
)
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    CategoryChange,
    ReaderAnomaly,
    ReadingBook,
    ReadingCycle,
)


def _month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime((value or "").strip()[:7], "%Y-%m").date()
    except ValueError:
        return None


class MonthFilter(django_filters.CharFilter):
    """``?month=YYYY-MM`` on a date field holding the month's first day; a bad month matches nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("billing month"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        month = _month(value)
        return qs.filter(**{self.field_name: month}) if month else qs.none()


class BookFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = ReadingBook
        fields = ["station"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class CycleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    month = MonthFilter(field_name="period")
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices, label=_("status"))

    class Meta:
        model = ReadingCycle
        fields = ["station", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(book__code__icontains=value) | Q(book__name__icontains=value))


class BillFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    month = MonthFilter(field_name="period")
    status = django_filters.ChoiceFilter(choices=BillStatus.choices, label=_("status"))
    flagged = django_filters.BooleanFilter(label=_("on the review list"), method="filter_flagged")
    cycle = django_filters.NumberFilter(field_name="cycle_id")

    class Meta:
        model = Bill
        fields = ["station", "area", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
        )

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(review_flags=[]) if value else queryset.filter(review_flags=[])


class _CustomerSearch(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__account_number__startswith=value) | Q(customer__name__icontains=value)
        )


class AdjustmentFilterSet(_CustomerSearch):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    kind = django_filters.ChoiceFilter(choices=AdjustmentKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices, label=_("status"))

    class Meta:
        model = BillAdjustment
        fields = ["station", "kind", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(bill__number__icontains=value)
            | Q(bill__customer__account_number__startswith=value)
            | Q(bill__customer__name__icontains=value)
        )


class CategoryChangeFilterSet(_CustomerSearch):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices, label=_("status"))

    class Meta:
        model = CategoryChange
        fields = ["station", "status"]


class AnomalyFilterSet(_CustomerSearch):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    kind = django_filters.ChoiceFilter(choices=AnomalyKind.choices, label=_("anomaly"))
    status = django_filters.ChoiceFilter(choices=AnomalyStatus.choices, label=_("status"))
    suspected_theft = django_filters.BooleanFilter(label=_("suspicious"))
    meter = django_filters.NumberFilter(field_name="meter_id")

    class Meta:
        model = ReaderAnomaly
        fields = ["station", "kind", "status", "suspected_theft"]
