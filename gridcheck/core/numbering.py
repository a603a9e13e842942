"""Sequence numbers of documents: a prefix (kind and date, ``JF20260101``) and a zero-padded counter."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def last_number(model: type[Model], field: str, prefix: str) -> str | None:
    """The highest ``model.field`` that starts with ``prefix`` (``None`` when there is none).

    On SQLite a ``LIKE`` cannot use the field's index (its ``LIKE`` ignores case, the index does not), so
    the prefix is also given as a range, which it can: under SQLite's byte order every value starting with
    the prefix lies in [prefix, prefix with its last character incremented). PostgreSQL's ``LIKE 'x%'``
    uses the field's pattern index, and a range there would follow the database's collation, not bytes.
    """
    rows = model._default_manager.filter(**{f"{field}__startswith": prefix})
    if prefix and connection.vendor == "sqlite":
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = rows.filter(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return rows.order_by(f"-{field}").values_list(field, flat=True).first()


def next_number(model: type[Model], field: str, prefix: str, width: int) -> str:
    """The next free ``prefix`` + sequence number (``width`` digits) of ``model.field``."""
    last = last_number(model, field, prefix)
    tail = last[len(prefix) :] if last else ""
    seq = int(tail) + 1 if tail.isdigit() else 1
    return f"{prefix}{seq:0{width}d}"
