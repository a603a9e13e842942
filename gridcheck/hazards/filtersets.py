"""Filters of the hazard and notice lists (and their API)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.hazards.choices import OPEN_STATUSES, HazardCategory, HazardSeverity, HazardStatus, NoticeKind
from gridcheck.hazards.models import Hazard, Notice


class HazardFilterSet(django_filters.FilterSet):
    """Filter hazards by station, severity, status, category and whether they are overdue."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    severity = django_filters.ChoiceFilter(choices=HazardSeverity.choices, label=_("severity"))
    status = django_filters.ChoiceFilter(choices=HazardStatus.choices, label=_("status"))
    category = django_filters.ChoiceFilter(choices=HazardCategory.choices, label=_("category"))
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")

    class Meta:
        model = Hazard
        fields = ["station", "severity", "status", "category", "overdue"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        """Overdue: marked so, or open with its deadline passed (before the daily run marks it)."""
        late = Q(status=HazardStatus.OVERDUE) | Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
        if value is True:
            return queryset.filter(late)
        if value is False:
            return queryset.exclude(late)
        return queryset


class NoticeFilterSet(django_filters.FilterSet):
    """Filter notices by kind, period and whether a paper copy is still to be delivered."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices, label=_("kind"))
    period = django_filters.CharFilter(label=_("period"))
    paper_pending = django_filters.BooleanFilter(label=_("paper copy pending"), method="filter_paper")

    class Meta:
        model = Notice
        fields = ["kind", "period", "paper_pending"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(document_number__icontains=value)
            | Q(customer__name__icontains=value)
        )

    def filter_paper(self, queryset, name, value):
        if value is True:
            return queryset.filter(paper_required=True, paper_delivered_on__isnull=True)
        if value is False:
            return queryset.exclude(paper_required=True, paper_delivered_on__isnull=True)
        return queryset
