"""Filters of the marketing audit API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.audit.choices import UNFINISHED, FindingStatus, Module, Schedule, Severity, Theme
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.core.periods import PeriodError, month_parse
from gridcheck.core.runs import RunStatus

MAX_ID = 2**31 - 1


class MonthField(forms.CharField):
    """``YYYY-MM`` -> the month's first day; the Chinese error of ``month_parse`` otherwise."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return month_parse(value)
        except PeriodError as error:
            raise forms.ValidationError(error.messages) from None


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number a database key can hold (else a 400, never a database error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    field_class = forms.IntegerField


class RuleFilterSet(django_filters.FilterSet):
    module = django_filters.ChoiceFilter(choices=Module.choices, label=_("module"))
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label=_("theme"))
    schedule = django_filters.ChoiceFilter(choices=Schedule.choices, label=_("schedule"))
    retired = django_filters.BooleanFilter(label=_("retired"))

    class Meta:
        model = AuditRule
        fields = ["module", "theme", "schedule", "retired"]


class RunFilterSet(django_filters.FilterSet):
    month = MonthFilter(field_name="month", label=_("month (YYYY-MM)"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("status"))
    area = IdFilter(field_name="area", label=_("transformer area"))

    class Meta:
        model = AuditRun
        fields = ["month", "status", "area", "theme", "module", "trigger"]


class FindingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("status"))
    module = django_filters.ChoiceFilter(choices=Module.choices, label=_("module"))
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label=_("theme"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("finding severity"))
    station = IdFilter(field_name="station", label=_("station"))
    area = IdFilter(field_name="area", label=_("transformer area"))
    customer = IdFilter(field_name="customer", label=_("customer"))
    assignee = IdFilter(field_name="assignee", label=_("assignee"))
    rule = django_filters.CharFilter(field_name="rule__code", max_length=20, label=_("rule code"))
    run = IdFilter(method="filter_run", label=_("found by run"))
    month = MonthFilter(field_name="month", label=_("audited month (YYYY-MM)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    present = django_filters.BooleanFilter(label=_("still found"))

    class Meta:
        model = Finding
        fields = [
            "status", "module", "theme", "severity", "station", "area", "customer", "assignee", "rule", "run",
            "month", "overdue", "present",
        ]  # fmt: skip

    def filter_run(self, queryset, name, value):
        """Found by the run: first found by it, or found again by it."""
        if value is None:
            return queryset
        return queryset.filter(Q(first_run_id=value) | Q(last_run_id=value))

    def filter_overdue(self, queryset, name, value):
        """Unfinished and past the deadline today (``true``), or not (``false``)."""
        if value is None:
            return queryset
        overdue = Q(status__in=list(UNFINISHED), deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
