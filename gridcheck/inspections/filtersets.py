"""Filters of the inspection lists (and their API)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.inspections.choices import (
    OPEN_STATUSES,
    PlanStatus,
    TipOffStatus,
    WorkOrderSource,
    WorkOrderStatus,
)
from gridcheck.inspections.models import Campaign, InspectionPlan, TipOff, WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    """Work orders by station, status, source, due date and whether they are overdue."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=WorkOrderStatus.choices, label=_("status"))
    source = django_filters.ChoiceFilter(choices=WorkOrderSource.choices, label=_("source"))
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("due by"))

    class Meta:
        model = WorkOrder
        fields = ["station", "status", "source", "overdue", "due_before"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__startswith=value)
            | Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
        if value is True:
            return queryset.filter(late)
        if value is False:
            return queryset.exclude(late)
        return queryset


class TipOffFilterSet(django_filters.FilterSet):
    """Tip-offs by station and status; the search never looks at the reporter."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=TipOffStatus.choices, label=_("status"))

    class Meta:
        model = TipOff
        fields = ["station", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__startswith=value) | Q(description__icontains=value) | Q(address__icontains=value)
        )


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("status"))

    class Meta:
        model = InspectionPlan
        fields = ["station", "status"]

    def filter_q(self, queryset, name, value):
        return queryset


class CampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = Campaign
        fields = ["station"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset
