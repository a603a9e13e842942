"""Filter sets of the notifications app."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.core.fields import LocalDateTimeFilter
from gridcheck.notifications import selectors
from gridcheck.notifications.choices import Channel, MessageStatus
from gridcheck.notifications.models import Message


class MessageFilterSet(django_filters.FilterSet):
    """Outbox filters: channel, status, recipient address, and the creation time range."""

    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    status = django_filters.ChoiceFilter(choices=MessageStatus.choices, label=_("status"))
    recipient = django_filters.CharFilter(
        field_name="recipient_address", lookup_expr="icontains", label=_("recipient address")
    )
    created_after = LocalDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("created at or after")
    )
    created_before = LocalDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("created before"))

    class Meta:
        model = Message
        fields = ["channel", "status", "recipient", "created_after", "created_before"]


class OutboxPageFilterSet(MessageFilterSet):
    """The outbox page's filters: channel and status, and one search box ``q`` over recipient and subject."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    # the search box covers the recipient; the page offers no time range
    recipient = None
    created_after = None
    created_before = None

    class Meta:
        model = Message
        fields = ["channel", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.outbox_search(queryset, value) if value else queryset
