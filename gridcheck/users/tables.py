"""Tables of the staff pages."""

import datetime

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import BaseTable
from gridcheck.users.models import Qualification, User

# A valid certificate that expires within this many days is flagged as expiring [days].
EXPIRING_WITHIN_DAYS = 60

STATUS_LABELS = {
    "valid": (_("Valid"), "success"),
    "expiring": (_("Expiring soon"), "warning"),
    "expired": (_("Expired"), "danger"),
    "none": (_("None"), "secondary"),
    "pending": (_("Not yet valid"), "info"),
}


def qualification_status(valid_until: datetime.date | None, any_expired: bool, today=None) -> str:
    """``valid``, ``expiring`` (within 60 days), ``expired`` or ``none`` for a person's certificates."""
    today = today or timezone.localdate()
    if valid_until is not None:
        if valid_until <= today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS):
            return "expiring"
        return "valid"
    return "expired" if any_expired else "none"


def status_badge(status: str):
    label, css = STATUS_LABELS[status]
    return format_html('<span class="badge text-bg-{} gc-qual-{}">{}</span>', css, status, label)


class UserTable(BaseTable):
    username = tables.Column(linkify=("users:user_detail", {"pk": tables.A("pk")}))
    full_name = tables.Column(linkify=("users:user_detail", {"pk": tables.A("pk")}))
    station = tables.Column(order_by=("station__code", "username"))
    role = tables.Column(order_by=("role", "username"))
    qualification = tables.Column(
        verbose_name=_("Qualification"),
        accessor="valid_until",
        order_by=("valid_until", "username"),
        empty_values=(),
    )

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "full_name", "employee_number", "role", "station", "phone", "qualification")

    def render_qualification(self, record, value):
        status = qualification_status(record.valid_until, bool(record.last_expiry))
        badge = status_badge(status)
        if record.valid_until:
            return format_html("{} <span class='small text-secondary'>{}</span>", badge, record.valid_until)
        return badge

    def value_qualification(self, record, value):
        return str(STATUS_LABELS[qualification_status(record.valid_until, bool(record.last_expiry))][0])


class QualificationTable(BaseTable):
    certificate_number = tables.Column(attrs={"td": {"class": "gc-mono"}})
    user = tables.Column(linkify=("users:user_detail", {"pk": tables.A("user_id")}))
    station = tables.Column(accessor="user__station", verbose_name=_("station"))
    issued_on = tables.DateColumn(format="Y-m-d")
    expires_on = tables.DateColumn(format="Y-m-d")
    validity = tables.Column(verbose_name=_("Validity"), empty_values=(), order_by=("expires_on",))

    class Meta(BaseTable.Meta):
        model = Qualification
        fields = ("certificate_number", "user", "station", "level", "issued_on", "expires_on", "validity")

    def render_validity(self, record):
        today = timezone.localdate()
        if record.issued_on <= today <= record.expires_on:
            status = qualification_status(record.expires_on, False, today)
        elif record.expires_on < today:
            status = "expired"
        else:
            status = "pending"
        return status_badge(status)
