"""Tables of the notifications pages (django-tables2)."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import ATTRS, BaseTable
from gridcheck.notifications.models import Message


class OutboxTable(BaseTable):
    """The outbox: when, how, to whom, what, its delivery status and attempts."""

    created_at = tables.DateTimeColumn(
        format="Y-m-d H:i",
        verbose_name=_("Time"),
        linkify=("notifications:message_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-nowrap"}},
    )
    channel = tables.Column(verbose_name=_("Channel"))
    recipient = tables.Column(
        accessor="recipient_display",
        verbose_name=_("Recipient"),
        orderable=False,
        attrs={"td": {"class": "text-break"}},
    )
    subject = tables.Column(verbose_name=_("Subject"), empty_values=())
    status = tables.Column(verbose_name=_("Status"))
    attempts = tables.Column(
        verbose_name=_("Attempts"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    next_attempt_at = tables.DateTimeColumn(
        format="Y-m-d H:i",
        verbose_name=_("Next attempt"),
        default="—",
        attrs={"td": {"class": "text-nowrap"}},
    )
    station = tables.Column(verbose_name=_("Station"), default="—", order_by=("station__code", "-created_at"))

    class Meta(BaseTable.Meta):
        model = Message
        fields = (
            "created_at",
            "channel",
            "recipient",
            "subject",
            "status",
            "attempts",
            "next_attempt_at",
            "station",
        )
        attrs = {**ATTRS, "data-testid": "outbox-table"}
        empty_text = _("No messages.")

    def render_subject(self, record):
        text = Truncator(record.subject or record.body).chars(40)
        return format_html(
            '<a href="{}">{}</a>', reverse("notifications:message_detail", args=[record.pk]), text
        )

    def render_status(self, record):
        return render_to_string("notifications/_status_badge.html", {"m": record})
