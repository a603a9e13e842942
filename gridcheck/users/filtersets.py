"""Filters of the staff pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.core.roles import Role
from gridcheck.users.choices import QualificationLevel
from gridcheck.users.models import Qualification, User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = User
        fields = ["role", "station"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__istartswith=value)
            | Q(full_name__icontains=value)
            | Q(employee_number__startswith=value)
        )


class QualificationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    level = django_filters.ChoiceFilter(choices=QualificationLevel.choices, label=_("level"))
    station = django_filters.ModelChoiceFilter(
        field_name="user__station", queryset=Station.objects.all(), label=_("station")
    )

    class Meta:
        model = Qualification
        fields = ["level", "station"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(certificate_number__istartswith=value)
            | Q(user__full_name__icontains=value)
            | Q(user__username__istartswith=value)
        )
