"""Read daily readings, load curves, meter events and area-meter readings from CSV or Parquet.

Each ``read_<source>()`` maps the source's columns onto a canonical frame of
:mod:`gridcheck_analytics.schema` with ``mapping`` (``{source column: canonical column}``), validates every
row and returns ``(frame, meta)``:

* ``frame`` -- the accepted rows, canonical columns and dtypes, sorted by key;
* ``meta`` -- ``errors`` (a frame with one row per problem: file, row, column, value, reason; ``row`` is
  the line number in a CSV file, header = line 1, or the 1-based row in a Parquet file), ``rows_read``,
  ``rows_accepted``, ``rows_rejected``, ``warnings`` (list of str), ``rollovers`` (a frame) and
  ``columns``: the canonical columns the source actually has (after the mapping).  The frame has every
  canonical column, those the source lacks as nulls; pass ``columns`` to
  :meth:`~gridcheck_analytics.store.MeterStore.upsert` so that they keep their stored values.

A file that cannot be read at all (not CSV/Parquet, broken compression, a required column missing, a bad
mapping) raises :class:`ReaderError`, which names the file (and the row and column where it knows them) and
is the only exception a reader raises for bad input.

A row with any problem is rejected whole; the other rows are accepted.  Nothing is written here: writing
is :class:`gridcheck_analytics.store.MeterStore`'s job, which is all-or-nothing.

Rejected (row errors): unknown meter, unknown area (area meters, when ``areas`` is given), empty key,
a date/time before 1900 or after 2199, text in a number field, negative value, a register at or
above the meter's digit capacity, a date/time that does not parse, a local time that does not exist or is
ambiguous at a daylight-saving change of ``source_tz``, an unknown event code, and duplicate keys
(meter, time) that disagree in their values -- every copy is rejected, since neither can be trusted.
Accepted with a warning: exact duplicate rows (one copy kept), rows out of order (sorted), and a register
rollover at the meter's digit capacity (consumption across it is computed by VEE).
"""

from __future__ import annotations

import lzma
import tarfile
import zipfile
from pathlib import Path
from warnings import catch_warnings, filterwarnings

import numpy as np
import pandas as pd
import pyarrow as pa

from gridcheck_analytics.schema import (
    AREA_METER_READINGS,
    CURVES,
    DAILY_READINGS,
    DATE,
    EVENT_NAMES_ZH,
    EVENTS,
    ROW_ERROR_COLUMNS,
    TIMEZONE,
    TS,
    EventCode,
    FrameSpec,
    conform,
)

#: Column mapping of the SGSC half-hourly household data in ``shared/data/sgsc-50`` onto :data:`CURVES`.
#: Its timestamps are naive Australian local time: read with ``source_tz="Australia/Sydney"``.
SGSC_CURVE_MAPPING = {
    "customer_id": "meter_id",
    "reading_datetime": "timestamp",
    "general_supply_kwh": "energy_kwh",
}

#: Dates and times outside [TIME_MIN, TIME_MAX) are row errors: no meter data is that old or new, and
#: pandas parses years (0, 9999) that Python's datetime, the store's month partitions and Parquet refuse.
TIME_MIN = pd.Timestamp("1900-01-01")
TIME_MAX = pd.Timestamp("2200-01-01")

#: A rollover is a register falling from the top of its range to the bottom (fractions of the capacity).
ROLLOVER_FROM_FRACTION = 0.9
ROLLOVER_TO_FRACTION = 0.1


class ReaderError(ValueError):
    """A meter-data file that cannot be read: names the ``file`` and, where known, the ``row`` and
    ``column``; ``reason`` says why.  A ``ValueError``, so callers catching those keep working."""

    def __init__(self, file: str, reason: str, *, row: int | None = None, column: str | None = None):
        self.file, self.reason, self.row, self.column = file, reason, row, column
        where = file + (f" row {row}" if row is not None else "") + (f" [{column}]" if column else "")
        super().__init__(f"{where}: {reason}")


#: What reading a broken file raises, by pandas, pyarrow or a decompressor (gzip and bz2 raise OSError).
_UNREADABLE = (
    ValueError,  # pandas' ParserError and EmptyDataError, pyarrow's ArrowInvalid, a zip of several files
    OSError,
    EOFError,
    zipfile.BadZipFile,
    NotImplementedError,  # a zip member of a version or compression zipfile cannot read
    lzma.LZMAError,
    tarfile.TarError,
    pa.ArrowException,
)
#: Parquet files also carry pandas' own metadata (JSON), which pyarrow trusts: a broken one raises these.
_UNREADABLE_PARQUET = (*_UNREADABLE, KeyError, TypeError, IndexError, AttributeError)


def _load(source, fmt: str | None) -> tuple[pd.DataFrame, int, str]:
    """Read a file as raw columns; return (frame, number of the first data row, label).

    Raises :class:`ReaderError` for a file that cannot be read as the format.
    """
    label = str(getattr(source, "name", source)) if not isinstance(source, str | Path) else str(source)
    fmt = fmt or ("parquet" if str(source).endswith((".parquet", ".pq")) else "csv")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}: use 'csv' or 'parquet'")
    file = Path(label).name
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(source)
            for column in frame.columns:  # text that is not UTF-8 fails later, deep in pandas: check it here
                if pd.api.types.is_string_dtype(frame[column].dtype):
                    pa.array(frame[column], from_pandas=True).validate(full=True)
            return frame, 1, label
        except _UNREADABLE_PARQUET as exc:
            raise ReaderError(
                file, f"cannot be read as a Parquet file ({type(exc).__name__}: {exc})"
            ) from None
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except UnicodeError as exc:
        raise ReaderError(file, f"not UTF-8 text; save the file as UTF-8 ({exc})") from None
    except pd.errors.EmptyDataError:
        raise ReaderError(file, "the file is empty (no header row)") from None
    except _UNREADABLE as exc:
        raise ReaderError(
            file, f"cannot be read as a CSV file (optionally .gz, .bz2, .zip or .xz compressed): {exc}"
        ) from None
    return raw, 2, label


def _errors(rows: np.ndarray, file: str, column: str, values, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": file,
            "row": rows,
            "column": column,
            "value": pd.Series(values, dtype="object").astype(str).to_numpy(),
            "reason": reason,
        }
    )


def _as_text(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s == "")


def _validate(
    raw: pd.DataFrame,
    spec: FrameSpec,
    *,
    mapping: dict[str, str] | None,
    file: str,
    first_row: int,
    meters: pd.DataFrame | None,
    source_tz: str,
    areas=None,
    time_format: str | None,
) -> tuple[pd.DataFrame, dict]:
    if mapping:
        unknown = set(mapping.values()) - set(spec.columns)
        if unknown:
            raise ReaderError(file, f"mapping targets unknown canonical column(s): {sorted(unknown)}")
        absent = [src for src in mapping if src not in raw.columns]
        if absent:
            raise ReaderError(file, f"mapped source column(s) not in the file: {absent}")
        raw = raw.rename(columns=mapping)
    twice = sorted({c for c in raw.columns[raw.columns.duplicated()] if c in spec.columns})
    if twice:
        raise ReaderError(
            file,
            f"column(s) {twice} given twice (two source columns mapped onto one, or mapped onto a column the file has)",
        )
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        raise ReaderError(
            file,
            f"required column(s) {missing} missing; columns found: {list(raw.columns)}; "
            "give a mapping {source column: canonical column}",
        )
    if time_format is not None:
        try:  # a bad directive fails on any value
            pd.to_datetime(pd.Series(["2000-01-01"], dtype="string"), errors="coerce", format=time_format)
        except ValueError as exc:
            raise ReaderError(file, f"time format {time_format!r} cannot be used: {exc}") from None
    present = [c for c in spec.columns if c in raw.columns]
    n = len(raw)
    rows = np.arange(n) + first_row
    raw = raw.reset_index(drop=True)
    bad = np.zeros(n, dtype=bool)
    problems: list[pd.DataFrame] = []
    warnings: list[str] = []
    out: dict[str, pd.Series] = {}

    def flag(mask, column, values, reason):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            bad[mask] = True
            problems.append(_errors(rows[mask], file, column, np.asarray(values)[mask], reason))

    for name, col in spec.columns.items():
        if name not in raw.columns:
            continue
        s = raw[name]
        if col.dtype == "string":
            text = _as_text(s)
            flag(text.isna() & col.required, name, s, "empty")
            if name == "event_code":
                known = {c.value: c.value for c in EventCode} | {
                    k: v.value for k, v in EVENT_NAMES_ZH.items()
                }
                code = text.map(known)
                flag(text.notna() & code.isna(), name, s, "unknown event code")
                text = code
            out[name] = text
        elif col.dtype in ("float64", "int64"):
            if pd.api.types.is_numeric_dtype(s):
                values = s.astype("float64")
                not_number = np.zeros(n, dtype=bool)
                values = values.copy()
            else:
                text = _as_text(s)
                values = pd.to_numeric(text, errors="coerce").astype("float64")
                not_number = (text.notna() & values.isna()).to_numpy().copy()
            not_number |= np.isinf(values.to_numpy(dtype="float64", na_value=np.nan))
            flag(not_number, name, s, "not a number")
            if col.required:
                flag(~not_number & values.isna().to_numpy(), name, s, "empty")
            if name in spec.numeric_nonnegative:
                flag((values < 0).fillna(False).to_numpy(), name, s, "negative value")
            out[name] = values
        elif col.dtype in (DATE, TS):
            text = _as_text(s) if not pd.api.types.is_datetime64_any_dtype(s) else s
            offset = np.zeros(n, dtype=bool)
            try:
                with catch_warnings():
                    # a column of several formats is parsed value by value, as meant: pandas' warning
                    # that it does so would only reach the server's log
                    filterwarnings("ignore", "Could not infer format", UserWarning)
                    parsed = pd.to_datetime(text, errors="coerce", format=time_format)
            except ValueError:  # pandas refuses a column mixing local times and times with an offset
                parsed, offset = _parse_one_by_one(text, time_format)
                flag(offset, name, s, "a time with a UTC offset among local times")
            unparsed = (text.notna() & parsed.isna()).to_numpy() & ~offset
            if not pd.api.types.is_datetime64_any_dtype(text):  # pandas reads "now" and "today" as the clock
                unparsed = unparsed | text.str.lower().isin(["now", "today"]).fillna(False).to_numpy(
                    dtype=bool
                )
            flag(unparsed, name, s, "not a valid date/time")
            wall = parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed
            out_of_range = (parsed.notna() & ((wall < TIME_MIN) | (wall >= TIME_MAX))).to_numpy()
            flag(out_of_range, name, s, "date/time out of range (1900 to 2199)")
            parsed = parsed.mask(out_of_range)  # year 0 or 9999 would break the steps after
            if col.required:
                flag(text.isna().to_numpy(), name, s, "empty")
            if col.dtype == TS:
                if parsed.dt.tz is None:
                    local = parsed.dt.tz_localize(source_tz, ambiguous="NaT", nonexistent="NaT")
                    as_dst = np.ones(n, dtype=bool)
                    exists = parsed.dt.tz_localize(source_tz, ambiguous=as_dst, nonexistent="NaT").notna()
                    gap = (parsed.notna() & ~exists).to_numpy()
                    flag(gap, name, s, f"local time does not exist in {source_tz} (clocks went forward)")
                    flag(
                        (exists & local.isna()).to_numpy(),
                        name,
                        s,
                        f"local time is ambiguous in {source_tz} (clocks went back; occurs twice)",
                    )
                    parsed = local
                parsed = parsed.dt.tz_convert(TIMEZONE)
            else:
                parsed = parsed.dt.normalize()
            out[name] = parsed

    frame = pd.DataFrame(out)
    if meters is not None and "meter_id" in frame:
        known_meters = meters.set_index("meter_id")
        unknown = ~frame["meter_id"].isin(known_meters.index) & frame["meter_id"].notna()
        flag(unknown.to_numpy(), "meter_id", raw["meter_id"], "unknown meter")
        if "register_total_kwh" in frame and "register_digits" in known_meters:
            digits = frame["meter_id"].map(known_meters["register_digits"]).astype("float64")
            capacity = 10.0**digits
            for reg in [c for c in frame if c.startswith("register_")]:
                over = (frame[reg] >= capacity).fillna(False).to_numpy()
                flag(over, reg, raw[reg], "register at or above the meter's digit capacity")

    if areas is not None and "area_code" in frame:
        unknown = ~frame["area_code"].isin(list(areas)) & frame["area_code"].notna()
        flag(unknown.to_numpy(), "area_code", raw["area_code"], "unknown area")

    frame = frame[~bad]
    key = list(spec.key)
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        versions = frame[dup].drop_duplicates().groupby(key, dropna=False).size()
        conflict_mask = frame.set_index(key).index.isin(versions[versions > 1].index)
        idx = np.flatnonzero(conflict_mask)
        if len(idx):
            problems.append(
                _errors(
                    rows[frame.index[idx]],
                    file,
                    ",".join(key),
                    frame.iloc[idx][key].astype(str).agg(" ".join, axis=1),
                    "duplicate key (meter, time) with different values",
                )
            )
        exact = int(frame[~conflict_mask].duplicated(key).sum())
        if exact:
            warnings.append(f"{exact} exact duplicate row(s) dropped (one copy kept)")
        frame = frame[~conflict_mask].drop_duplicates(key)

    sort_key = frame[key[0]].astype(str) if len(frame) else frame[key[0]]
    ordered = frame.assign(_k=sort_key).sort_values(["_k", *key[1:]], kind="stable").drop(columns="_k")
    out_of_order = int((ordered.index.to_numpy() != frame.index.to_numpy()).sum())
    if out_of_order:
        warnings.append(f"{out_of_order} row(s) out of order; sorted by {', '.join(key)}")
    frame = conform(ordered.reset_index(drop=True), spec)

    rollovers = _rollovers(frame, meters)
    if len(rollovers):
        warnings.append(
            f"{len(rollovers)} register rollover(s) at the meter's digit capacity "
            "(e.g. meter {meter_id} on {reading_date}); consumption is computed across them".format(
                **rollovers.iloc[0].to_dict()
            )
        )
    errors = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=ROW_ERROR_COLUMNS)
    errors = errors.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    meta = {
        "file": file,
        "frame": spec.name,
        "rows_read": n,
        "rows_accepted": len(frame),
        "rows_rejected": int(errors["row"].nunique()) if len(errors) else 0,
        "errors": errors,
        "warnings": warnings,
        "rollovers": rollovers,
        "columns": present,
    }
    return frame, meta


def _parse_one_by_one(text: pd.Series, time_format: str | None) -> tuple[pd.Series, np.ndarray]:
    """Parse a column value by value (when pandas refuses it whole): naive times, and which values carry
    a UTC offset (``...+08:00``, ``...Z``); those, and values that do not parse, are NaT."""
    offset = np.zeros(len(text), dtype=bool)
    values = []
    for i, value in enumerate(text):
        ts = pd.NaT
        if pd.notna(value):
            try:
                ts = pd.to_datetime(value, errors="coerce", format=time_format)
            except (ValueError, OverflowError):
                ts = pd.NaT
            if pd.notna(ts) and ts.tzinfo is not None:
                offset[i], ts = True, pd.NaT
        values.append(ts)
    return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")).to_numpy(), index=text.index), offset


def _rollovers(frame: pd.DataFrame, meters: pd.DataFrame | None) -> pd.DataFrame:
    """Rows where the total register wrapped round at the meter's digit capacity."""
    cols = ["meter_id", "reading_date", "previous_kwh", "register_total_kwh"]
    if (
        meters is None
        or "register_total_kwh" not in frame
        or "reading_date" not in frame
        or "register_digits" not in meters
    ):
        return pd.DataFrame(columns=cols)
    digits = frame["meter_id"].map(meters.set_index("meter_id")["register_digits"]).astype("float64")
    capacity = 10.0**digits
    prev = frame.groupby("meter_id", sort=False)["register_total_kwh"].shift()
    wrap = (prev >= ROLLOVER_FROM_FRACTION * capacity) & (
        frame["register_total_kwh"] <= ROLLOVER_TO_FRACTION * capacity
    )
    return frame.loc[wrap, ["meter_id", "reading_date"]].assign(
        previous_kwh=prev[wrap], register_total_kwh=frame.loc[wrap, "register_total_kwh"]
    )[cols]


def _read(source, spec, *, mapping, meters, source_tz, fmt, time_format, areas=None):
    raw, first_row, label = _load(source, fmt)
    return _validate(
        raw,
        spec,
        mapping=mapping,
        file=Path(label).name,
        first_row=first_row,
        meters=meters,
        source_tz=source_tz,
        time_format=time_format,
        areas=areas,
    )


def read_daily_csv(source, *, mapping=None, meters=None, time_format=None):
    """Read daily register readings / daily consumption from CSV into :data:`~..schema.DAILY_READINGS`.

    Parameters
    ----------
    source : str or path or file-like
        CSV file (may be gzip-compressed).
    mapping : dict, optional
        ``{source column: canonical column}``.
    meters : pandas.DataFrame, optional
        Canonical meters frame; rows of meters not in it are rejected, registers are checked against the
        meter's digit capacity [kWh] and rollovers are reported.
    time_format : str, optional
        ``strftime`` format of the date column; inferred when omitted.

    Returns
    -------
    frame : pandas.DataFrame
        Accepted rows, registers [kWh], consumption [kWh].
    meta : dict
        Row errors, counts and warnings (see module docstring).
    """
    return _read(
        source,
        DAILY_READINGS,
        mapping=mapping,
        meters=meters,
        source_tz=TIMEZONE,
        fmt="csv",
        time_format=time_format,
    )


def read_daily_parquet(source, *, mapping=None, meters=None):
    """Read daily readings from Parquet; as :func:`read_daily_csv`."""
    return _read(
        source,
        DAILY_READINGS,
        mapping=mapping,
        meters=meters,
        source_tz=TIMEZONE,
        fmt="parquet",
        time_format=None,
    )


def read_curves(source, *, mapping=None, meters=None, source_tz=TIMEZONE, fmt=None, time_format=None):
    """Read load curves (15-min, or any fixed interval) into :data:`~..schema.CURVES`.

    Parameters
    ----------
    source : str or path
        CSV (optionally ``.gz``) or Parquet file.
    mapping : dict, optional
        ``{source column: canonical column}``, e.g. :data:`SGSC_CURVE_MAPPING`.
    meters : pandas.DataFrame, optional
        Canonical meters frame, to reject unknown meters.
    source_tz : str
        Timezone of naive timestamps in the source; converted to Asia/Shanghai.  Local times that do not
        exist or are ambiguous at a daylight-saving change are row errors (never guessed).
    fmt : {'csv', 'parquet'}, optional
        Inferred from the file name when omitted.
    time_format : str, optional
        ``strftime`` format of the timestamp column.

    Returns
    -------
    frame, meta
        Energy [kWh] per interval, voltages [V], currents [A]; meta as in the module docstring.
    """
    return _read(
        source, CURVES, mapping=mapping, meters=meters, source_tz=source_tz, fmt=fmt, time_format=time_format
    )


def read_events(source, *, mapping=None, meters=None, source_tz=TIMEZONE, fmt=None):
    """Read meter events into :data:`~..schema.EVENTS`; Chinese names (失压, 开表盖, ...) are accepted."""
    return _read(
        source, EVENTS, mapping=mapping, meters=meters, source_tz=source_tz, fmt=fmt, time_format=None
    )


def read_area_meter(source, *, mapping=None, fmt=None, time_format=None, areas=None):
    """Read the area summary meters' (台区总表) daily readings into :data:`~..schema.AREA_METER_READINGS`.

    Parameters
    ----------
    areas : iterable of str, optional
        Area codes accepted; rows of other areas are rejected ("unknown area").  All when omitted.

    Returns
    -------
    frame, meta
        Registers [kWh], multiplier [1], mean phase currents [A].
    """
    return _read(
        source,
        AREA_METER_READINGS,
        mapping=mapping,
        meters=None,
        source_tz=TIMEZONE,
        fmt=fmt,
        time_format=time_format,
        areas=areas,
    )


#: Readings per day of a half-hourly curve.
HALF_HOURS = 48


def sgsc_day_matrix(frame: pd.DataFrame, *, value="general_supply_kwh") -> tuple[pd.DataFrame, np.ndarray]:
    """Complete days of half-hourly curves as a matrix: one row per customer-day, one column per half-hour.

    ``frame`` has the SGSC columns ``customer_id``, ``reading_datetime`` (naive local start of the
    half-hour) and ``value``.  Readings at the same (customer, time) twice (the SGSC file's daylight-saving
    duplicates) are dropped, every copy.  A day is kept only when all 48 half-hours (00:00 .. 23:30) have a
    value: a day with a missing half-hour -- even one missing for every customer, so that the slot has no
    column at all after the pivot -- is left out, never filled.

    Returns ``(index, matrix)``: a frame of ``customer_id, day`` sorted by them, and the (days x 48) array
    [kWh].
    """
    df = frame[["customer_id", "reading_datetime", value]].copy()
    df["reading_datetime"] = pd.to_datetime(df["reading_datetime"])
    df = df.drop_duplicates(["customer_id", "reading_datetime"], keep=False)
    df["day"] = df["reading_datetime"].dt.normalize()
    ts = df["reading_datetime"]
    df["slot"] = ts.dt.hour * 2 + ts.dt.minute // 30
    on_grid = (ts.dt.minute % 30 == 0) & (ts.dt.second == 0)
    wide = df[on_grid].pivot_table(
        index=["customer_id", "day"], columns="slot", values=value, aggfunc="first"
    )
    wide = wide.reindex(columns=range(HALF_HOURS)).dropna(how="any").sort_index()
    return wide.index.to_frame(index=False), wide.to_numpy(dtype=float)


def read_sgsc_days(path) -> tuple[pd.DataFrame, np.ndarray]:
    """Read the SGSC half-hourly CSV (``shared/data/sgsc-50``) into :func:`sgsc_day_matrix`'s complete days."""
    try:
        df = pd.read_csv(path, usecols=["customer_id", "reading_datetime", "general_supply_kwh"])
    except FileNotFoundError as exc:
        raise ReaderError(str(path), "file not found") from exc
    except ValueError as exc:  # a missing column
        raise ReaderError(str(path), str(exc)) from exc
    return sgsc_day_matrix(df)
