"""Selectors of meter data: the archive as canonical frames, reading rates, a customer's consumption."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from django.conf import settings
from django.db.models import Sum

from gridcheck.archive.models import Area, Customer, Meter
from gridcheck.core.scoping import scope_queryset
from gridcheck.readings.models import MeterDataImport, ReadingRate
from gridcheck_analytics.schema import METERS, conform
from gridcheck_analytics.store import MeterStore

#: Maximum current assumed for a meter whose nameplate gives only the basic current [A]:
#: basic x this factor (a 5(60)A meter is 12x; 1.5(6)A CT meters 4x) -- the lower, safer value.
MAX_CURRENT_FACTOR_DEFAULT = 4


def meter_store() -> MeterStore:
    """The meter-data store under ``settings.GRIDCHECK_DATA_DIR``."""
    return MeterStore(settings.GRIDCHECK_DATA_DIR)


def archive_meters_frame(*, meter_ids=None) -> pd.DataFrame:
    """Every in-service meter of the archive as the canonical ``meters`` frame of the analytics.

    One query (``values_list``), no per-row work in Python beyond building the frame: 60,000 meters
    take well under a second.
    """
    qs = Meter.objects.all()
    if meter_ids is not None:
        qs = qs.filter(asset_number__in=list(meter_ids))
    rows = qs.values_list(
        "asset_number",
        "metering_point__customer__area__code",
        "metering_point__customer__area__line__code",
        "metering_point__customer__station__code",
        "metering_point__customer__account_number",
        "metering_point__customer__category",
        "metering_point__multiplier",
        "rated_voltage_v",
        "max_current_a",
        "rated_current_a",
        "phase",
        "metering_point__customer__contracted_capacity_kva",
        "register_digits",
    )
    columns = [
        "meter_id",
        "area_code",
        "line_code",
        "station_code",
        "account_number",
        "category",
        "multiplier",
        "rated_voltage_v",
        "max_current_a",
        "rated_current_a",
        "phase",
        "contracted_capacity_kva",
        "register_digits",
    ]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for col in (
        "multiplier",
        "rated_voltage_v",
        "max_current_a",
        "rated_current_a",
        "contracted_capacity_kva",
    ):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["max_current_a"] = frame["max_current_a"].fillna(
        frame["rated_current_a"] * MAX_CURRENT_FACTOR_DEFAULT
    )
    frame["phases"] = (frame["phase"] == "three").map({True: 3, False: 1}).astype("int64")
    frame = frame.drop(columns=["phase", "rated_current_a"])
    return conform(frame, METERS)


def archive_frames() -> dict[str, pd.DataFrame]:
    """The archive frames ``run_monthly`` needs (``meters``, canonical)."""
    return {"meters": archive_meters_frame()}


def area_index() -> dict[str, tuple[int, int, int]]:
    """``{area_code: (area_id, line_id, station_id)}`` of every area."""
    return {
        code: (pk, line_id, st)
        for code, pk, line_id, st in Area.objects.values_list("code", "pk", "line_id", "station_id")
    }


# -- reading rates -------------------------------------------------------------------------------------


def _rate(meters: int, read: int) -> float | None:
    return round(100.0 * read / meters, 2) if meters else None


def reading_rate_months(*, user) -> list[dt.date]:
    """First days of the months that have reading rates, newest first."""
    dates = scope_queryset(ReadingRate.objects.all(), user).dates("reading_date", "month", order="DESC")
    return list(dates)


def reading_rate_daily(*, user, start: dt.date, end: dt.date, station_id=None, line_id=None) -> list[dict]:
    """Reading rate of the user's scope (optionally one station or line) per day [%]."""
    qs = scope_queryset(ReadingRate.objects.filter(reading_date__range=(start, end)), user)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if line_id:
        qs = qs.filter(line_id=line_id)
    rows = qs.values("reading_date").annotate(m=Sum("meters"), r=Sum("meters_read")).order_by("reading_date")
    return [
        {
            "date": row["reading_date"],
            "meters": row["m"],
            "meters_read": row["r"],
            "rate": _rate(row["m"], row["r"]),
        }
        for row in rows
    ]


def reading_rate_by(
    *, user, level: str, start: dt.date, end: dt.date, station_id=None, line_id=None
) -> list[dict]:
    """Reading rate over ``start``..``end`` aggregated per ``level`` (``area``, ``line`` or ``station``).

    Returns dicts with ``id``, ``code``, ``name``, ``meter_days``, ``meter_days_read``, ``rate`` [%],
    ``quality`` ({code: readings}), worst first.
    """
    qs = scope_queryset(ReadingRate.objects.filter(reading_date__range=(start, end)), user)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if line_id:
        qs = qs.filter(line_id=line_id)
    key = f"{level}_id"
    totals: dict[int, dict] = {}
    for obj_id, meters, read, quality in qs.values_list(key, "meters", "meters_read", "quality_counts"):
        t = totals.setdefault(obj_id, {"meter_days": 0, "meter_days_read": 0, "quality": defaultdict(int)})
        t["meter_days"] += meters
        t["meter_days_read"] += read
        for code, n in (quality or {}).items():
            t["quality"][code] += n
    model = {
        "area": Area,
        "line": Area.line.field.related_model,
        "station": Area.station.field.related_model,
    }[level]
    names = {
        pk: (code, name)
        for pk, code, name in model.objects.filter(pk__in=totals).values_list("pk", "code", "name")
    }
    out = []
    for obj_id, t in totals.items():
        code, name = names.get(obj_id, ("", ""))
        out.append(
            {
                "id": obj_id,
                "code": code,
                "name": name,
                "meter_days": t["meter_days"],
                "meter_days_read": t["meter_days_read"],
                "missing": t["meter_days"] - t["meter_days_read"],
                "rate": _rate(t["meter_days"], t["meter_days_read"]),
                "quality": dict(t["quality"]),
            }
        )
    out.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, r["code"]))
    return out


def recent_imports(*, limit: int = 10):
    return MeterDataImport.objects.select_related("user")[:limit]


# -- one customer's consumption ------------------------------------------------------------------------


def customer_consumption(*, customer: Customer, months: int = 3) -> dict:
    """Daily consumption [kWh] with quality codes, and meter events, of a customer's meters.

    Reads the newest ``months`` stored months of the meter store (filtered to the customer's meters, so
    DuckDB reads only their row groups) and runs VEE on them, so the chart shows estimated and missing
    days as the analysis sees them.

    Returns
    -------
    dict
        ``meters`` (asset numbers), ``days`` [{date, energy_kwh, quality_code, meter}], ``events``
        [{meter, timestamp, event_code}], ``months`` (the months read).
    """
    from gridcheck_analytics import quality
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.pipeline import month_bounds

    asset_numbers = list(
        Meter.objects.filter(metering_point__customer=customer).values_list("asset_number", flat=True)
    )
    store = meter_store()
    all_months = store.months("daily")
    stored = all_months[-months:]
    # one more month before, for the register of the day before the first day shown
    read = all_months[-(months + 1) :]
    result = {"meters": asset_numbers, "days": [], "events": [], "months": stored}
    if not asset_numbers or not stored:
        return result
    import ibis

    con = connect("duckdb", threads=2)
    try:
        meters = archive_meters_frame(meter_ids=asset_numbers)
        daily = store.table(con, "daily", read)
        daily = daily.filter(daily.meter_id.isin(asset_numbers))
        start, _ = month_bounds(stored[0])
        _, end = month_bounds(stored[-1])
        vee = quality.validate_daily(daily, ibis.memtable(meters), start, end)
        frame = con.execute(
            vee.select("meter_id", "reading_date", "energy_kwh", "quality_code").order_by(
                ["reading_date", "meter_id"]
            )
        )
        for row in frame.itertuples(index=False):
            energy = None if pd.isna(row.energy_kwh) else round(float(row.energy_kwh), 2)
            result["days"].append(
                {
                    "meter": row.meter_id,
                    "date": str(row.reading_date)[:10],
                    "energy_kwh": energy,
                    "quality_code": row.quality_code,
                }
            )
        events = store.table(con, "events", stored)
        if events is not None:
            ev = con.execute(events.filter(events.meter_id.isin(asset_numbers)).order_by("timestamp"))
            for row in ev.itertuples(index=False):
                result["events"].append(
                    {
                        "meter": row.meter_id,
                        "timestamp": row.timestamp.isoformat(),
                        "event_code": row.event_code,
                    }
                )
    finally:
        con.disconnect()
    return result
