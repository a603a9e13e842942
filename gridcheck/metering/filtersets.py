"""Filters of the ledger's lists (and of the API)."""

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.metering.choices import AssetKind, AssetStatus, FaultKind, FaultOutcome, NoticeStatus
from gridcheck.metering.models import (
    Acceptance,
    Asset,
    AssetFault,
    DeviceType,
    MeterChange,
    RectificationNotice,
)

DUE_CHOICES = (
    ("overdue", _("Overdue")),
    ("soon", _("Due within the reminder window")),
    ("year", _("Due within a year")),
)


def _search(queryset, fields, value):
    from django.db.models import Q

    value = (value or "").strip()
    if not value:
        return queryset
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__startswith": value})
    return queryset.filter(q)


class AssetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices, label=_("status"))
    device_type = django_filters.ModelChoiceFilter(queryset=DeviceType.objects.all(), label=_("device type"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, label=_("due"), method="filter_due")

    class Meta:
        model = Asset
        fields = ["kind", "status", "device_type", "station"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, ("asset_number", "metering_point__code", "serial_number"), value)

    def filter_due(self, queryset, name, value):
        from gridcheck.metering.selectors import reminder_days

        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(due_on__lt=today, status=AssetStatus.INSTALLED)
        days = reminder_days(today) if value == "soon" else 365
        return queryset.filter(
            due_on__lte=today + datetime.timedelta(days=days), status=AssetStatus.INSTALLED
        )


class DeviceTypeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices, label=_("kind"))
    obsolete = django_filters.BooleanFilter(label=_("obsolete"))

    class Meta:
        model = DeviceType
        fields = ["kind", "obsolete"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, ("manufacturer", "model_number"), value)


class FaultFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(choices=FaultKind.choices, label=_("fault"))
    outcome = django_filters.ChoiceFilter(choices=FaultOutcome.choices, label=_("outcome"))

    class Meta:
        model = AssetFault
        fields = ["kind", "outcome"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, ("asset__asset_number",), value)


class NoticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices, label=_("status"))
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")

    class Meta:
        model = RectificationNotice
        fields = ["status"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, ("number", "metering_point__code"), value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = queryset.filter(status=NoticeStatus.OPEN, deadline__lt=timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class MeterChangeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = MeterChange
        fields = ["reason"]

    def filter_q(self, queryset, name, value):
        return _search(
            queryset, ("old_asset__asset_number", "new_asset__asset_number", "metering_point__code"), value
        )


class AcceptanceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Acceptance
        fields = ["result"]

    def filter_q(self, queryset, name, value):
        return _search(queryset, ("metering_point__code",), value)
