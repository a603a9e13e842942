"""Filters of the line-loss lists and API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Line, Station
from gridcheck.lineloss.choices import PlanStatus
from gridcheck.lineloss.models import (
    AnalysisRun,
    AreaMonthLoss,
    LineMonthLoss,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    StationLossIndicator,
    TheoreticalLoss,
)


class AreaMonthLossFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    month = django_filters.DateFilter(label=_("month"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    line = django_filters.ModelChoiceFilter(queryset=Line.objects.all(), label=_("line"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    flagged = django_filters.BooleanFilter(label=_("flagged"))
    above_target = django_filters.BooleanFilter(label=_("above target"))
    negative_loss = django_filters.BooleanFilter(label=_("negative loss"))

    class Meta:
        model = AreaMonthLoss
        fields = ["q", "month", "station", "line", "area", "flagged", "above_target", "negative_loss"]

    def search(self, queryset, name, value):
        return queryset.filter(area__code__icontains=value) | queryset.filter(area__name__icontains=value)


class LineMonthLossFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    month = django_filters.DateFilter(label=_("month"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    line = django_filters.ModelChoiceFilter(queryset=Line.objects.all(), label=_("line"))

    class Meta:
        model = LineMonthLoss
        fields = ["q", "month", "station", "line"]

    def search(self, queryset, name, value):
        return queryset.filter(line__code__icontains=value) | queryset.filter(line__name__icontains=value)


class AnalysisRunFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    month = django_filters.DateFilter(label=_("month"))
    status = django_filters.ChoiceFilter(
        choices=AnalysisRun._meta.get_field("status").choices, label=_("status")
    )

    class Meta:
        model = AnalysisRun
        fields = ["q", "month", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(error__icontains=value)


class LossTargetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = LossTarget
        fields = ["q", "area"]

    def search(self, queryset, name, value):
        return queryset.filter(area__code__icontains=value) | queryset.filter(note__icontains=value)


class RectificationPlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("past the deadline"))

    class Meta:
        model = RectificationPlan
        fields = ["q", "station", "status", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(area__code__icontains=value) | queryset.filter(area__name__icontains=value)

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        late = queryset.filter(status=PlanStatus.OPEN, deadline__lt=timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class LossAnalysisFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(label=_("month"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = LossAnalysis
        fields = ["month", "station", "area"]


class TheoreticalLossFilterSet(django_filters.FilterSet):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = TheoreticalLoss
        fields = ["station", "area"]


class StationLossIndicatorFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(label=_("month"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = StationLossIndicator
        fields = ["month", "station"]
