"""Helpers of every inspection service: the audited save and the sequence numbers."""

from __future__ import annotations

from django.db.models import Model

from gridcheck.core import numbering


def save(obj: Model, *, user=None, reason: str = "") -> Model:
    """Validate and save ``obj``, naming ``user`` and ``reason`` on its history record."""
    obj.full_clean()
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj._change_reason = reason[:100] if reason else None
    obj.save()
    return obj


def next_number(model, field: str, prefix: str) -> str:
    """The next free ``prefix`` + 5-digit sequence number of ``model.field``."""
    return numbering.next_number(model, field, prefix, 5)
