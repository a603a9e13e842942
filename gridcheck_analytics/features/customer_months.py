"""The customer-month features: both stages, in buckets of meter ids on DuckDB (see the package)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
import pyarrow.parquet as pq

from gridcheck_analytics.features.definitions import FEATURES, FeatureRules
from gridcheck_analytics.features.meter_months import (
    YEAR_BACK,
    history_depth,
    history_of_one_month,
    meter_months,
    month_range,
    pre_event_means,
)
from gridcheck_analytics.features.peers import meter_attributes, with_peers
from gridcheck_analytics.store import meter_id_ranges

#: Meters per bucket of the first stage on DuckDB (:func:`customer_month_features` with ``con``): about
#: 12 x this many monthly rows in the aggregate and the window at a time (under 1 GB at 365 days).
METERS_PER_BUCKET = 200_000
#: Prefix of the temporary tables of the first stage (see :func:`release_features`).
TEMP_PREFIX = "gc_features_"


@contextlib.contextmanager
def _no_partitioned_execution(con):
    """DuckDB without its ``partitioned_execution`` optimizer for the bucket queries, then as it was.

    On a Parquet file sorted by meter id, DuckDB (2.0) splits an aggregate by meter id into one scan per
    range of row groups; with the bucket's own range filter those scans re-read row groups many times
    (2.0 billion rows scanned for a bucket of 73 million, 4.5 s instead of 1.7 s).  The buckets are
    already ranges, so the optimizer has nothing to add there.
    """
    import duckdb

    try:
        before = con.con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
        off = ",".join(x for x in [before, "partitioned_execution"] if x)
        con.con.execute(f"SET disabled_optimizers = '{off}'").fetchall()
    except duckdb.Error:  # a DuckDB without this optimizer or setting: nothing to turn off
        yield
        return
    try:
        yield
    finally:
        con.con.execute(
            f"SET disabled_optimizers = '{before}'" if before else "RESET disabled_optimizers"
        ).fetchall()


def _in_range(table, bounds):
    return table if table is None or bounds is None else table.filter(table.meter_id.between(*bounds))


def release_features(con, features) -> None:
    """Drop the temporary tables behind ``features`` (from :func:`customer_month_features` with ``con``).

    Optional: they are dropped with the connection anyway; call it when the connection lives on.
    """
    if con is None or con.name != "duckdb":
        return
    for table in features.op().find(ops.DatabaseTable):
        if table.name.startswith(TEMP_PREFIX):
            con.con.execute(f'DROP TABLE IF EXISTS "{table.name}"').fetchall()  # consumed: DuckDB 2


def customer_month_features(
    energy,
    meters,
    start: dt.date,
    end: dt.date,
    *,
    events=None,
    curves=None,
    area_loss=None,
    rules: FeatureRules = FEATURES,
    con=None,
    meters_per_bucket: int | None = None,
    monthly=None,
    event_energy=None,
    loss_corr=None,
    monthly_files=None,
    monthly_orders=None,
):
    """Features per customer meter and month, for the months of ``start``..``end``.

    Parameters
    ----------
    energy : ibis.Table
        Daily consumption: ``meter_id``, ``reading_date``, ``energy_kwh`` [kWh/day], e.g. the output of
        :func:`gridcheck_analytics.quality.validate_daily`.  Include the history months before ``start``
        (:attr:`FeatureRules.history_months`, :attr:`FeatureRules.trend_months`): rows before ``start``
        feed the history windows only.
    meters : ibis.Table or pandas.DataFrame
        Canonical meters (:data:`gridcheck_analytics.schema.METERS`).
    start, end : datetime.date
        First and last day of the months to return.
    events : ibis.Table, optional
        Canonical events (``meter_id``, ``timestamp``, ``event_code``).
    curves : ibis.Table, optional
        Canonical 15-minute curves (``meter_id``, ``timestamp``, ``energy_kwh``, ``voltage_a_v``).
    area_loss : ibis.Table, optional
        Daily area loss: ``area_code``, ``reading_date``, ``supply_kwh``, ``loss_kwh`` [kWh] (the output of
        :func:`gridcheck_analytics.lineloss.daily_area_loss`).
    rules : FeatureRules
        Windows and thresholds.
    con : ibis connection, optional
        A DuckDB connection: the first stage (from each meter's own daily rows: monthly aggregates,
        history, curves, loss correlation, pre-event means) runs now, in buckets of ``meters_per_bucket``
        meter ids, into temporary tables of ``con``; the returned expression joins attributes, peers and
        events to them (run it on ``con``).  The working memory is then that of one bucket, plus the
        monthly table, whatever the number of meters.  The tables are dropped with the connection, or by
        :func:`release_features`.  Ignored on other backends (Spark partitions and spills by itself): one
        expression, as without ``con``.  The values are the same either way (up to the order of
        floating-point additions).
    meters_per_bucket : int, optional
        Meters per bucket with ``con`` (:data:`METERS_PER_BUCKET` by default).
    monthly : ibis.Table, optional
        The per-meter monthly rows (:func:`~gridcheck_analytics.features.monthly_consumption`) of the
        history months and of ``start``..``end``, where they are stored (the incremental monthly run,
        :mod:`gridcheck_analytics.monthly`): the history windows read them instead of aggregating the
        daily rows, and ``energy`` need only hold ``start``..``end``.  The same values as from the daily
        rows of every month.
    event_energy : ibis.Table, optional
        The daily energy the pre-event means read (the days before theft-type events, up to
        :attr:`FeatureRules.event_lookback_days` + :attr:`FeatureRules.pre_event_days` before the end);
        default ``energy``.
    loss_corr : ibis.Table, optional
        Each meter's correlation with its area's daily loss per month (``meter_id, month, loss_corr``),
        where it is stored (each month's base in the monthly run): read instead of computed from
        ``energy`` and ``area_loss``.
    monthly_files : dict, optional
        ``{month_index: [Parquet files]}``: the files of ``monthly`` per month, where it is stored in
        them (or a month's rows as an Arrow table in the list: a month still being written); the
        history of one month (on DuckDB) then reads each month's rows from its files.
    monthly_orders : dict, optional
        ``{month_index: digest of the meter ids in their rows' order}`` of those files, where known: a
        month in the order of ``end``'s month is read without its ids.

    Returns
    -------
    ibis.Table
        One row per (meter_id, month): the identifiers ``meter_id, account_number, area_code,
        station_code, category, month`` (``YYYYMM``), ``days``, every column of :data:`FEATURE_COLUMNS`
        (null where it cannot be computed), and ``last_event_code``, ``pre_event_mean_kwh``,
        ``last_year_mean_kwh`` (the same month a year before; null without that month in ``energy``) and
        ``yoy_ratio`` for reasons.

    References
    ----------
    .. [1] shared/domain/workflows.md, "Metering": the CT load current should sit within 30-100 % of the
       rated primary current; "Line loss": customers whose consumption moved abnormally.
    """
    attrs = meter_attributes(meters, rules)
    months_tbl = month_range(start, end)[4]

    daily_for_events = energy if event_energy is None else event_energy
    history = None  # the history rows made beforehand (one month on DuckDB), else from ``monthly``

    def first_stage(bounds=None):
        return meter_months(
            _in_range(energy, bounds),
            _in_range(attrs, bounds),
            start,
            end,
            curves=_in_range(curves, bounds),
            area_loss=area_loss,
            rules=rules,
            monthly=_in_range(monthly, bounds),
            loss_corr=_in_range(loss_corr, bounds),
            history=_in_range(history, bounds),
        )

    def pre_event(bounds=None):
        return pre_event_means(_in_range(events, bounds), _in_range(daily_for_events, bounds), rules)

    second = dict(events=events, area_loss=area_loss, rules=rules)
    if con is None or con.name != "duckdb":
        pre = pre_event() if events is not None else None
        return with_peers(first_stage(), attrs, months_tbl, pre_event=pre, **second)
    name = f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    per_bucket = meters_per_bucket or METERS_PER_BUCKET
    # one bucket: no ranges (1.4 s at 1,000,000 meters to find them, and a text filter on every input);
    # the rows of meters outside the archive drop out at the join with its attributes either way
    one = int(con.execute(attrs.count())) <= per_bucket
    ranges = [None] if one else meter_id_ranges(con, attrs, per_bucket) or [None]
    history = None
    if one and monthly is not None:
        history = _history_in_numpy(con, monthly, start, end, rules, monthly_files, monthly_orders)
    with _no_partitioned_execution(con):
        for i, bounds in enumerate(ranges):
            _append(con, name, first_stage(bounds), first=i == 0)
            if events is not None:
                _append(con, f"{name}_pre", pre_event(bounds), first=i == 0)
    pre = con.table(f"{name}_pre") if events is not None else None
    return with_peers(con.table(name), attrs, months_tbl, pre_event=pre, **second)


def _history_in_numpy(
    con, monthly, start: dt.date, end: dt.date, rules: FeatureRules, files=None, orders=None
):
    """The history rows of one month (:func:`meter_months.history_of_one_month`) as an in-memory table,
    from the stored monthly rows it reads; None for a span of months (or where the NumPy way declines).

    ``files``: ``{month_index: [Parquet files]}`` of ``monthly`` where the caller has them: each month is
    read from its files in their rows' order (a month that lists the meters in the month's order needs no
    lookup of their ids), not by a query.  ``orders``: ``{month_index: digest of the meter ids in the
    files' order}`` where known: a month with the month's digest is read without its ids."""
    first, last = month_range(start, end)[:2]
    if first != last:
        return None
    index = (first // 100) * 12 + first % 100 - 1
    offsets = sorted({*range(1, history_depth(rules) + 1), YEAR_BACK})
    if files and files.get(index):
        here = pa.concat_tables([f if isinstance(f, pa.Table) else pq.read_table(f) for f in files[index]])
        orders = orders or {}
        back = []
        for j in (j for j in offsets if files.get(index - j)):
            same = orders.get(index) is not None and orders.get(index - j) == orders.get(index)
            columns = ["month_index", "mean_kwh"] if same else ["meter_id", "month_index", "mean_kwh"]
            month = pa.concat_tables(
                [
                    f.select(columns) if isinstance(f, pa.Table) else pq.read_table(f, columns=columns)
                    for f in files[index - j]
                ]
            )
            if same:  # the month's meters in the month's order: its ids are the month's
                month = month.add_column(0, "meter_id", here["meter_id"])
            back.append(month)
    else:
        here = con.to_pyarrow(monthly.filter(monthly.month_index == index))
        back = monthly.filter(monthly.month_index.isin([index - j for j in offsets]))
        back = con.to_pyarrow(back.select("meter_id", "month_index", "mean_kwh"))
    history = history_of_one_month(here, back, index, rules)
    return None if history is None else ibis.memtable(history)


def _append(con, name, part, *, first: bool) -> None:
    if first:
        con.create_table(name, part, temp=True)
    else:
        con.insert(name, part)
