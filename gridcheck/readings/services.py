"""Services of meter data: import a file into the meter store, write reading rates, load the demo data."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from gridcheck.archive.models import Area, Meter
from gridcheck.core.periods import last_complete_month
from gridcheck.core.scoping import scope_queryset
from gridcheck.readings.choices import STORE_FRAME, ImportKind, ImportStatus
from gridcheck.readings.headers import missing_columns, recognise
from gridcheck.readings.models import MeterDataImport, MeterDataMapping, ReadingRate
from gridcheck.readings.selectors import archive_meters_frame, area_index, meter_store
from gridcheck_analytics.io.readers import ReaderError

#: The demo's simulation seed (same as the archive demo's).
DEMO_SEED = 20261125
#: At most this many row errors are kept for one file (the file is refused whole anyway).
MAX_ERRORS = 200
#: A reader's "unknown" row error, for a meter or area the archive has but the importing user's scope
#: does not, becomes this reason.
OUT_OF_SCOPE = {"unknown meter": "meter outside your scope", "unknown area": "area outside your scope"}


def _user_scope(kind: str, user, meters: pd.DataFrame | None):
    """What ``user`` may import: ``(meters, areas, archive codes)``.

    ``meters`` is the archive's meters frame cut to the user's scope, ``areas`` the area codes in it (area
    meters) or None, and ``archive codes`` every meter id or area code of the archive (to tell "outside
    your scope" from "unknown").  The CLI (no user) and a county-wide user are not restricted.
    """
    if user is None:
        return meters, None, set()
    if kind == ImportKind.AREA_METER:
        archive = set(Area.objects.values_list("code", flat=True))
        scoped = set(scope_queryset(Area.objects.all(), user).values_list("code", flat=True))
        return meters, (None if scoped >= archive else scoped), archive
    archive = set(meters["meter_id"])
    scoped = set(scope_queryset(Meter.objects.all(), user).values_list("asset_number", flat=True))
    if scoped >= archive:
        return meters, None, archive
    return meters[meters["meter_id"].isin(scoped)].reset_index(drop=True), None, archive


def _read(kind: str, path: Path, mapping: dict | None, meters: pd.DataFrame | None, areas=None):
    from gridcheck_analytics.io import readers

    parquet = path.suffix.lower() in (".parquet", ".pq")
    if kind == ImportKind.DAILY:
        reader = readers.read_daily_parquet if parquet else readers.read_daily_csv
        return reader(path, mapping=mapping, meters=meters)
    if kind == ImportKind.CURVE:
        return readers.read_curves(path, mapping=mapping, meters=meters)
    if kind == ImportKind.EVENTS:
        return readers.read_events(path, mapping=mapping, meters=meters)
    if kind == ImportKind.AREA_METER:
        return readers.read_area_meter(path, mapping=mapping, areas=areas)
    raise ValueError(f"unknown kind {kind!r}")


def _error_rows(errors: pd.DataFrame) -> list[dict]:
    out = []
    for row in errors.head(MAX_ERRORS).itertuples(index=False):
        out.append(
            {
                "file": str(row.file),
                "row": None if pd.isna(row.row) else int(row.row),
                "column": str(row.column),
                "value": str(row.value),
                "reason": str(row.reason),
            }
        )
    return out


def meter_data_import(
    *, kind: str, path, user=None, mapping: dict | None = None, file_name: str | None = None
) -> MeterDataImport:
    """Read a meter-data file, validate it and write it to the meter store; record the batch.

    All or nothing: a file with any row error (file, row, column, reason) is refused and nothing is
    written; the batch keeps the errors. Accepted rows are upserted by key (meter, time), so importing
    the same file twice changes nothing.

    Parameters
    ----------
    kind : ImportKind
        daily | curve | events | area_meter.
    path : path
        CSV (optionally .gz) or Parquet file.
    user : User, optional
        Who imports: rows of meters (area meters: of areas) outside the user's scope are row errors
        ("meter outside your scope"), so the file is refused. None (the CLI): the whole county.
    mapping : dict, optional
        ``{source column: canonical column}`` of the analytics schema.
    file_name : str, optional
        Name to record (an uploaded file's original name).
    """
    kind = ImportKind(kind)
    path = Path(path)
    started = time.monotonic()
    batch = MeterDataImport(
        kind=kind,
        file_name=file_name or path.name,
        size_bytes=path.stat().st_size if path.exists() else 0,
        mapping=mapping or {},
        user=user,
        status=ImportStatus.FAILED,
    )
    meters = archive_meters_frame() if kind != ImportKind.AREA_METER else None
    meters, areas, archive_codes = _user_scope(kind, user, meters)
    try:
        frame, meta = _read(kind, path, mapping, meters, areas)
    except ReaderError as exc:  # the file cannot be read: what the reader says, under the uploaded name
        batch.errors = [
            {
                "file": batch.file_name,
                "row": exc.row,
                "column": exc.column or "",
                "value": "",
                "reason": exc.reason,
            }
        ]
    except (ValueError, KeyError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        batch.errors = [{"file": batch.file_name, "row": None, "column": "", "value": "", "reason": str(exc)}]
    else:
        batch.rows = int(meta["rows_read"])
        batch.warnings = [str(w) for w in meta["warnings"]]
        errors = meta["errors"]
        if len(errors):
            batch.errors = _error_rows(errors)
            for e in batch.errors:
                e["file"] = batch.file_name
                if e["reason"] in OUT_OF_SCOPE and e["value"].strip() in archive_codes:
                    e["reason"] = OUT_OF_SCOPE[e["reason"]]
        elif not len(frame):
            batch.errors = [
                {"file": batch.file_name, "row": None, "column": "", "value": "", "reason": "no rows"}
            ]
        else:
            # Columns the file lacks (e.g. peak/valley registers) keep their stored values.
            counts = meter_store().upsert(STORE_FRAME[kind], frame, columns=meta["columns"])
            batch.status = ImportStatus.SUCCEEDED
            batch.rows_created = counts["rows_created"]
            batch.rows_updated = counts["rows_updated"]
            batch.rows_unchanged = counts["rows_unchanged"]
            batch.months = counts["months"]
    batch.duration_s = round(time.monotonic() - started, 3)
    batch.full_clean()
    batch.save()
    return batch


#: Rows of a file shown on the mapping page.
PREVIEW_ROWS = 5


def file_preview(path, limit: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The headers and the first ``limit`` rows of a meter-data file (CSV, compressed CSV or Parquet), as
    text. Raises ``ReaderError`` (file, reason) when the file cannot be read."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            table = pq.ParquetFile(path)
            headers = [str(n) for n in table.schema_arrow.names]
            frame = next(table.iter_batches(batch_size=limit), None)
            rows = frame.to_pandas().astype(str).values.tolist() if frame is not None else []
        else:
            frame = pd.read_csv(path, nrows=limit, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            headers = [str(c) for c in frame.columns]
            rows = frame.values.tolist()
    except UnicodeDecodeError:
        raise ReaderError(path.name, "not UTF-8 text") from None
    except pd.errors.EmptyDataError:
        raise ReaderError(path.name, "the file is empty (no header row)") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ReaderError(path.name, f"not CSV or Parquet ({exc})") from None
    return headers, [[str(v) for v in row] for row in rows]


def mapping_for(*, kind: str, headers: list[str], source: str = "") -> tuple[dict[str, str], list[str], bool]:
    """The mapping a file of ``kind`` with ``headers`` is read with: the one saved for ``source`` (its
    entries whose header the file has), completed by the recognised Chinese and canonical headers.

    Returns ``(mapping, missing required columns, whether a saved mapping was used)``.
    """
    mapping: dict[str, str] = {}
    saved = (
        MeterDataMapping.objects.filter(source=source.strip(), kind=kind).first() if source.strip() else None
    )
    if saved is not None:
        mapping = {h: c for h, c in saved.mapping.items() if h in headers}
    taken = set(mapping.values())
    for header, column in recognise(kind, headers).items():
        if header not in mapping and column not in taken:
            mapping[header] = column
            taken.add(column)
    return mapping, missing_columns(kind, mapping), saved is not None


def mapping_save(*, source: str, kind: str, mapping: dict[str, str], headers: list[str], user=None):
    """Save ``mapping`` as the one of ``source`` and ``kind`` for next time (replacing the former)."""
    source = source.strip()
    if not source:
        return None
    saved, _created = MeterDataMapping.objects.update_or_create(
        source=source,
        kind=kind,
        defaults={"mapping": dict(mapping), "headers": list(headers), "updated_by": user},
    )
    return saved


def reader_mapping(mapping: dict[str, str]) -> dict[str, str] | None:
    """``mapping`` as the reader takes it: headers renamed onto canonical columns; a header that already
    is its canonical column needs no entry."""
    renames = {h: c for h, c in mapping.items() if h != c}
    return renames or None


def mapping_parse(text: str | None) -> dict | None:
    """A column mapping given as JSON text (``{"表号": "meter_id"}``); ``None`` when empty."""
    if not text or not text.strip():
        return None
    value = json.loads(text)
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("the mapping must be a JSON object of column names")
    return value


@transaction.atomic
def reading_rates_replace(
    *, start: dt.date, end: dt.date, rates: pd.DataFrame, quality: pd.DataFrame | None = None
) -> int:
    """Replace the reading rates of ``start``..``end`` by ``rates`` (the analysis' ``reading_rate_area``).

    Parameters
    ----------
    rates : pandas.DataFrame
        area_code, reading_date, meters, meters_read, reading_rate_percent [%].
    quality : pandas.DataFrame, optional
        area_code, reading_date, quality_code, readings (the analysis' ``quality_summary``).

    Returns
    -------
    int
        Rows written.
    """
    index = area_index()
    counts: dict[tuple, dict] = {}
    if quality is not None:
        for row in quality.itertuples(index=False):
            counts.setdefault((row.area_code, str(row.reading_date)), {})[row.quality_code] = int(
                row.readings
            )
    ReadingRate.objects.filter(reading_date__range=(start, end)).delete()
    objs = []
    for row in rates.itertuples(index=False):
        ids = index.get(row.area_code)
        if ids is None:
            continue
        objs.append(
            ReadingRate(
                area_id=ids[0],
                line_id=ids[1],
                station_id=ids[2],
                reading_date=row.reading_date,
                meters=int(row.meters),
                meters_read=int(row.meters_read),
                reading_rate_percent=round(float(row.reading_rate_percent), 4),
                quality_counts=counts.get((row.area_code, str(row.reading_date)), {}),
            )
        )
    ReadingRate.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def demo_meter_data_load(
    *,
    var_dir=None,
    months: int = 13,
    seed: int = DEMO_SEED,
    data_dir=None,
    end_month: dt.date | None = None,
    theft_fraction: float = 0.02,
    **simulate_options,
) -> dict:
    """Simulate meter data for the archive in the database and write it to the meter store.

    ``months`` months of daily readings, area-meter readings, events and curves, ending with the last
    complete month (or ``end_month``), with theft and faults injected
    (``gridcheck_analytics.readings_sim.simulate_readings``).

    Parameters
    ----------
    var_dir : path, optional
        The ground truth (which meters steal) goes to ``<var_dir>/demo/meter_truth.parquet``, apart from
        the store; nothing is written there when omitted.
    months : int
        Months simulated.
    seed : int
        Seed: the same seed and archive give the same data.
    data_dir : path, optional
        The meter store; ``settings.GRIDCHECK_DATA_DIR`` by default.
    end_month : date, optional
        Last month simulated (default: the last complete month).
    theft_fraction : float
        Share of meters with injected theft.

    Returns
    -------
    dict
        ``meters``, ``start``, ``end_month`` (``YYYY-MM``), ``rows`` per frame, ``truth`` (frame),
        ``area_truth`` (frame), ``seconds``.
    """
    from gridcheck_analytics.readings_sim import simulate_readings
    from gridcheck_analytics.store import MeterStore

    started = time.monotonic()
    end_month = end_month or last_complete_month()
    y, m = end_month.year, end_month.month - (months - 1)
    while m < 1:
        y, m = y - 1, m + 12
    start = dt.date(y, m, 1)
    meters = archive_meters_frame()
    store = MeterStore(data_dir or settings.GRIDCHECK_DATA_DIR)
    truth_path = Path(var_dir) / "demo" / "meter_truth.parquet" if var_dir else None
    result = simulate_readings(
        meters,
        start=start,
        months=months,
        seed=seed,
        theft_fraction=theft_fraction,
        store=store,
        truth_path=truth_path,
        keep_daily=False,
        **simulate_options,
    )
    return {
        "meters": len(meters),
        "start": start,
        "end_month": f"{end_month:%Y-%m}",
        "rows": result["rows"],
        "truth": result["truth"],
        "area_truth": result["area_truth"],
        "seconds": round(time.monotonic() - started, 2),
    }
