"""Small Ibis expressions the feature stages share: month keys, safe division, missing values."""

from __future__ import annotations

import ibis

#: A float64 null.
NULL_FLOAT = ibis.null().cast("float64")


def month_key_of(date_col):
    """The month of a date column as ``YYYYMM``."""
    return date_col.year() * 100 + date_col.month()


def month_index_of(date_col):
    """The month of a date column as a running index (year x 12 + month - 1): consecutive months differ by 1."""
    return date_col.year() * 12 + date_col.month() - 1


def safe_div(a, b):
    """``a / b``, null where ``b`` is null or zero."""
    return ibis.ifelse(b.notnull() & (b != 0), a / b, NULL_FLOAT)


# A missing value may arrive as NaN (a pandas frame given to Ibis): DuckDB turns it into NULL, Spark keeps
# the NaN, and one NaN makes a sum or a mean NaN. Every float input below goes through these two.
def is_present(col):
    """Whether a float value is present (neither NULL nor NaN)."""
    return col.notnull() & ~col.isnan()


def missing_as_null(col):
    """The float column with NaN turned into NULL (skipped by aggregates on every backend)."""
    return ibis.ifelse(col.isnan(), NULL_FLOAT, col)


def as_table(frame):
    """An Ibis table as is, a pandas frame as a memtable."""
    return frame if isinstance(frame, ibis.Table) else ibis.memtable(frame)
