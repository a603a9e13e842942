"""Helpers of every inspection service: the audited save and the sequence numbers."""

from __future__ import annotations

from django.db.models import Model


def save(obj: Model, *, user=None, reason: str = "") -> Model:
    """Validate and save ``obj``, naming ``user`` and ``reason`` on its history record."""
    obj.full_clean()
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj._change_reason = reason[:100] if reason else None
    obj.save()
    return obj


def next_number(model, field: str, prefix: str) -> str:
    """The next free ``prefix`` + 5-digit sequence number of ``model.field``."""
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:05d}"
