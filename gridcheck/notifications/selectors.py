"""Selectors of the outbox and the inbox: who may see which messages.

The outbox (every message Gridcheck sends) is for staff with the ``view`` capability at county level
(no station) and for station heads (their station's messages only). The government liaison, a partner
outside the utility, does not see it: the outbox holds customers' addresses and phone numbers. Each user
sees their own in-app messages in their inbox.
"""

from django.db.models import Count, Q, QuerySet

from gridcheck.core.roles import CHANGE, VIEW_OUTBOX, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.notifications.choices import Channel, MessageStatus, NotificationKind
from gridcheck.notifications.models import Message, NotificationPreference


def outbox_can_view(user) -> bool:
    """Whether ``user`` may open the outbox (county-level staff, station heads, superusers)."""
    return has_capability(user, VIEW_OUTBOX)


def outbox_can_change(user) -> bool:
    """Whether ``user`` may retry or cancel messages of the outbox."""
    return outbox_can_view(user) and has_capability(user, CHANGE)


def outbox_messages(
    *, user, channel: str | None = None, status: str | None = None, q: str | None = None
) -> QuerySet[Message]:
    """The messages of the outbox ``user`` may see, newest first, optionally filtered."""
    if not outbox_can_view(user):
        return Message.objects.none()
    queryset = Message.objects.select_related("recipient_user", "station", "created_by")
    if channel in Channel.values:
        queryset = queryset.filter(channel=channel)
    if status in MessageStatus.values:
        queryset = queryset.filter(status=status)
    if q:
        queryset = outbox_search(queryset, q)
    return scope_queryset(queryset, user).order_by("-created_at", "-pk")


def outbox_search(queryset: QuerySet[Message], q: str) -> QuerySet[Message]:
    """The messages of ``queryset`` whose recipient (address, user's name or username) or subject contain ``q``."""
    return queryset.filter(
        Q(recipient_address__icontains=q)
        | Q(subject__icontains=q)
        | Q(recipient_user__full_name__icontains=q)
        | Q(recipient_user__username__icontains=q)
    )


def outbox_status_counts(*, user) -> dict[str, int]:
    """How many messages of the user's outbox are in each status (every status present, 0 if none)."""
    counts = {value: 0 for value in MessageStatus.values}
    rows = outbox_messages(user=user).order_by().values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def inbox_messages(*, user) -> QuerySet[Message]:
    """The user's own in-app messages, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return (
        Message.objects.filter(channel=Channel.IN_APP, recipient_user=user, status=MessageStatus.SENT)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    """How many in-app messages ``user`` has not read yet (0 for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_messages(user=user).filter(read_at__isnull=True).count()


#: How long the bell's count is kept per user [s] (``unread_badge``).
UNREAD_BADGE_S = 60


def _badge_key(user_id) -> str:
    return f"gridcheck:unread:{user_id}"


def unread_badge(user) -> int:
    """``unread_count`` for the bell on every page, kept per user: counted again once a message is sent
    to them or read (``forget_unread_badge``), at the latest after ``UNREAD_BADGE_S`` seconds."""
    from django.conf import settings
    from django.core.cache import cache

    from gridcheck.core.pagecache import lifetime

    if not getattr(user, "is_authenticated", False) or not getattr(
        settings, "GRIDCHECK_LIST_ROWS_CACHE_S", 0
    ):
        return unread_count(user)
    key = _badge_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, lifetime(UNREAD_BADGE_S))
    return count


def forget_unread_badge(user_id) -> None:
    """The bell of ``user_id`` counted again on their next page: now (this request's own page) and once
    the current transaction commits (a page counted meanwhile by another request saw the old rows)."""
    from django.core.cache import cache
    from django.db import transaction

    if user_id is not None:
        cache.delete(_badge_key(user_id))
        transaction.on_commit(lambda: cache.delete(_badge_key(user_id)))


def preferences_of(user) -> list[dict]:
    """Every notification kind with ``user``'s choice (no row: in-app only), in the kinds' order."""
    saved = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in NotificationKind:
        pref = saved.get(kind.value)
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "email": bool(pref and pref.email),
                "sms": bool(pref and pref.sms),
            }
        )
    return rows
