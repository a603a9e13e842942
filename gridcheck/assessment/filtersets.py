"""Filters of the scorecard list."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.assessment.choices import AdjustmentStatus, ScorecardStatus, Subject
from gridcheck.assessment.models import Adjustment, Scorecard


class ScorecardFilterSet(django_filters.FilterSet):
    month = django_filters.DateFilter(
        label=_("month"),
        method="by_month",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "month"}),
    )
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    subject = django_filters.ChoiceFilter(choices=Subject.choices, label=_("assessed"))
    status = django_filters.ChoiceFilter(choices=ScorecardStatus.choices, label=_("status"))
    pending = django_filters.BooleanFilter(label=_("adjustments awaiting approval"), method="with_pending")

    class Meta:
        model = Scorecard
        fields = ["month", "station", "subject", "status", "pending"]

    def by_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1)) if value else queryset

    def with_pending(self, queryset, name, value):
        if value is None:
            return queryset
        pending = Adjustment.objects.filter(scorecard_id=OuterRef("pk"), status=AdjustmentStatus.PROPOSED)
        return queryset.filter(Exists(pending)) if value else queryset.exclude(Exists(pending))
