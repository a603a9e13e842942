"""Readers of meter data: each maps source columns onto a canonical frame of :mod:`..schema`.

Every reader returns ``(frame, meta)``: the accepted rows as a canonical frame, and a dict with the row
errors (a frame of :data:`~gridcheck_analytics.schema.ROW_ERROR_COLUMNS`), counts and warnings; a file that
cannot be read raises :class:`ReaderError` (file, row, column, reason).
"""

from gridcheck_analytics.io.readers import (
    SGSC_CURVE_MAPPING,
    ReaderError,
    read_area_meter,
    read_curves,
    read_daily_csv,
    read_daily_parquet,
    read_events,
)

__all__ = [
    "SGSC_CURVE_MAPPING",
    "ReaderError",
    "read_area_meter",
    "read_curves",
    "read_daily_csv",
    "read_daily_parquet",
    "read_events",
]
