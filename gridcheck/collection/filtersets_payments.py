"""Filters of the payment, reversal, bank file and account lists."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Customer, Station
from gridcheck.collection.choices import DecisionStatus, PaymentChannel, PaymentStatus
from gridcheck.collection.models import BankFile, Payment, Reversal
from gridcheck.users.models import User

DATE = forms.DateInput(attrs={"type": "date"})


class PaymentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    channel = django_filters.ChoiceFilter(choices=PaymentChannel.choices, label=_("channel"))
    collector = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True).order_by("username"), label=_("collector")
    )
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, label=_("status"))
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("from"), widget=DATE
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("to"), widget=DATE
    )
    bank_file = django_filters.ModelChoiceFilter(queryset=BankFile.objects.all(), label=_("bank file"))

    class Meta:
        model = Payment
        fields = ["station", "area", "channel", "collector", "status", "bank_file"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return (
            queryset.filter(number__startswith=value)
            | queryset.filter(customer__account_number__startswith=value)
            | queryset.filter(receipt_number=value)
        )


class ReversalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices, label=_("status"))
    suspicious = django_filters.BooleanFilter(label=_("suspicious (late reversal)"))

    class Meta:
        model = Reversal
        fields = ["status", "suspicious"]


class BankFileFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="file_name", lookup_expr="icontains")
    channel = django_filters.ChoiceFilter(choices=PaymentChannel.choices, label=_("channel"))

    class Meta:
        model = BankFile
        fields = ["channel"]


class AccountFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = Customer
        fields = ["area"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(account_number__startswith=value) | queryset.filter(name__contains=value)
