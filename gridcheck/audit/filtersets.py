"""Filters of the audit lists: the rule library, the runs, the findings."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.models import Area, Station
from gridcheck.audit import selectors
from gridcheck.audit.choices import FindingStatus, Module, RunTrigger, Schedule, Severity, Theme
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.core.runs import RunStatus

YES_NO = (("yes", _("Yes")), ("no", _("No")))


class AuditRuleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    module = django_filters.ChoiceFilter(choices=Module.choices, label=_("module"))
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label=_("theme"))
    schedule = django_filters.ChoiceFilter(choices=Schedule.choices, label=_("schedule"))
    enabled = django_filters.ChoiceFilter(choices=YES_NO, method="filter_enabled", label=_("enabled now"))

    class Meta:
        model = AuditRule
        fields = ["q", "module", "theme", "schedule", "enabled"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_enabled(self, queryset, name, value):
        if value not in ("yes", "no"):
            return queryset
        return selectors.rules_enabled_filter(queryset, timezone.localdate(), value == "yes")


class AuditRunFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("status"))
    trigger = django_filters.ChoiceFilter(choices=RunTrigger.choices, label=_("trigger"))

    class Meta:
        model = AuditRun
        fields = ["q", "status", "trigger"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit() and len(value) < 12:
            return queryset.filter(pk=int(value))
        return queryset.filter(Q(area__name__icontains=value) | Q(area__code__icontains=value))


class FindingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("status"))
    module = django_filters.ChoiceFilter(choices=Module.choices, label=_("module"))
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label=_("theme"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=pgettext_lazy("audit", "severity"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    rule = django_filters.ModelChoiceFilter(
        queryset=AuditRule.objects.order_by("code"), label=_("rule"), to_field_name="code"
    )
    assignee = django_filters.ChoiceFilter(
        choices=(("mine", _("Mine")), ("none", _("Nobody"))), method="filter_assignee", label=_("assignee")
    )
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="filter_overdue", label=_("overdue"))
    present = django_filters.ChoiceFilter(choices=YES_NO, method="filter_present", label=_("still found"))
    run = django_filters.NumberFilter(method="filter_run", label=_("audit run"))

    class Meta:
        model = Finding
        fields = ["q", "status", "module", "theme", "severity", "station", "area", "rule", "assignee"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(summary__icontains=value)
            | Q(rule__code__iexact=value)
            | Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
        )

    def filter_assignee(self, queryset, name, value):
        if value == "mine":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee_id=getattr(user, "pk", None))
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_overdue(self, queryset, name, value):
        overdue = selectors.overdue_q(timezone.localdate())
        if value == "yes":
            return queryset.filter(overdue)
        if value == "no":
            return queryset.exclude(overdue)
        return queryset

    def filter_present(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(present=value == "yes")
        return queryset

    def filter_run(self, queryset, name, value):
        """Found by that run: first found, or found again."""
        if value is None:
            return queryset
        return queryset.filter(Q(first_run_id=value) | Q(last_run_id=value))
