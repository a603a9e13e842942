"""Validation, estimation and editing (VEE) of daily readings, as Ibis expressions.

Every (meter, day) of the period gets one :class:`~gridcheck_analytics.schema.QualityCode`, in this order
of precedence: missing, estimated, register_backwards, multiplier_mismatch, runaway, stopped,
long_zero_run, sudden_rise, sudden_drop, valid.  Original readings are kept as they came
(``register_total_kwh``); estimates go into ``register_estimated_kwh`` and are used for ``energy_kwh``.

Energy of day D [kWh] = (register(D) - register(D-1)) x multiplier of the archive, applied once here;
a register rollover at the meter's digit capacity adds ``10**register_digits`` to the later readings.
Where the source has no registers, the reported daily consumption ``energy_kwh`` is used as it is.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

import ibis
import ibis.expr.operations as ops
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gridcheck_analytics import kernels, vee_series
from gridcheck_analytics.schema import QualityCode
from gridcheck_analytics.thresholds import VEE, VeeRules

EPOCH = dt.date(1970, 1, 1)
_NULL = ibis.null().cast("float64")


def calendar(start: dt.date, end: dt.date):
    """Ibis table of the days ``start``..``end`` (inclusive): ``reading_date`` and ``day_index``."""
    days = pd.date_range(start, end, freq="D")
    return ibis.memtable(
        pa.table(
            {
                "reading_date": pa.array(days.date, pa.date32()),
                "day_index": pa.array((days - pd.Timestamp(EPOCH)).days.to_numpy(np.int32)),
            }
        )
    )


def nullable_column(t, name, dtype="float64"):
    """Column ``name`` of ``t`` (a NaN read as null: pandas frames reach Spark with NaN), or a null."""
    if name not in t.columns:
        return ibis.null().cast(dtype)
    c = t[name]
    return ibis.ifelse(c.isnan(), ibis.null().cast(c.type()), c) if c.type().is_floating() else c


def meter_limits(meters):
    """Per meter: archive multiplier, register capacity [kWh] and the most energy a day can hold [kWh].

    The daily limit is ``phases x rated_voltage_v x max_current_a x 24 h / 1000 x multiplier``: a meter
    cannot register more than its maximum current at rated voltage all day (runaway, 飞走, beyond it).
    """
    phases = nullable_column(meters, "phases", "int64").cast("float64").fill_null(1.0)
    max_kwh = (
        phases
        * nullable_column(meters, "rated_voltage_v")
        * nullable_column(meters, "max_current_a")
        * 24.0
        / 1000.0
    )
    return meters.select(
        "meter_id",
        "area_code",
        line_code=nullable_column(meters, "line_code", "string"),
        station_code=nullable_column(meters, "station_code", "string"),
        archive_multiplier=nullable_column(meters, "multiplier"),
        capacity_kwh=ibis.literal(10.0)
        ** nullable_column(meters, "register_digits", "int64").cast("float64"),
        max_kwh_per_day=max_kwh * nullable_column(meters, "multiplier"),
    )


#: Meters per block of the VEE time series: on Spark, one grouped task; on DuckDB, the kernel calls of
#: a block split its meters evenly over the threads (the readings of the period are read in one query).
METERS_PER_BLOCK = 25_000

#: Meters per call of the NumPy kernel within a block: arrays of a few MB, which the allocator reuses
#: from call to call (larger arrays are mapped afresh each time, and page faults then cost more than the
#: arithmetic on this project's virtual machines).
METERS_PER_KERNEL_CALL = 2048
_ARROW_TYPES = {"float64": pa.float64(), "boolean": pa.bool_(), "int32": pa.int32()}
#: Name prefix of the series tables :func:`validate_daily` leaves on a connection (:func:`release_series`).
SERIES_PREFIX = "gridcheck_vee_series_"

_SERIES_SCHEMA = {
    "_mk": "int32",
    "day_index": "int32",
    "register_total_kwh": "float64",
    "reported_multiplier": "float64",
    "filled": "float64",
    "backwards": "boolean",
    "energy_kwh": "float64",
    "is_read": "boolean",
    "is_zero": "boolean",
    "hist_n": "int32",
    "hist_mean": "float64",
    "zero_run_days": "int32",
    "stopped_history": "boolean",
}


def _bound_backend(*tables):
    """The connection the tables are bound to; ``None`` for in-memory tables only."""
    for t in tables:
        if t is None:
            continue
        backends, _ = t._find_backends()
        if backends:
            return backends[0]
    return None


def _table(con, data: pa.Table):
    """An Arrow table as an Ibis table on ``con``; on DuckDB registered until :func:`release_series`.

    ``con`` None: an in-memory table, bound to no connection (small inputs given as in-memory tables).
    """
    if con is None or con.name != "duckdb":
        return ibis.memtable(data)
    name = f"{SERIES_PREFIX}{uuid.uuid4().hex}"
    con.con.register(name, data)
    return con.table(name)


def _as_float(column) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def float_array(values: np.ndarray) -> pa.Array:
    """A float64 NumPy array as Arrow, NaN as null (``pa.array(values, from_pandas=True)``): the values'
    buffer as is and a validity bitmap packed by NumPy (a tenth of Arrow's per-value conversion)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    nulls = int(np.count_nonzero(missing))
    if not nulls:
        return pa.array(values)
    valid = np.packbits(~missing, bitorder="little")
    return pa.Array.from_buffers(
        pa.float64(), len(values), [pa.py_buffer(valid), pa.py_buffer(values)], null_count=nulls
    )


#: The kernel's inputs per reading: (name in :func:`vee_series.grid_series`, column of the readings).
_INPUT_COLUMNS = (
    ("register", "register_total_kwh"),
    ("reported", "reported_energy_kwh"),
    ("reported_multiplier", "reported_multiplier"),
)


def _null_literal(table, column: str) -> bool:
    """Whether ``column`` of ``table`` (a projection) is a null literal, e.g. a column the source lacks."""
    op = table.op()
    value = op.values.get(column) if isinstance(op, ops.Project) else None
    if isinstance(value, ops.Cast):
        value = value.arg
    return isinstance(value, ops.Literal) and value.value is None


#: Row groups of the daily frame read side by side by :func:`_file_grids`.
READ_THREADS = 2

#: The daily frame's columns of the kernel's inputs, as stored (:data:`_INPUT_COLUMNS`, renamed in
#: :func:`_inputs`).
_FILE_COLUMNS = {
    "register": "register_total_kwh",
    "reported": "energy_kwh",
    "reported_multiplier": "multiplier",
}


def _input_grid(grids: dict, name: str, values: pa.Array, shape) -> np.ndarray | None:
    """The matrix of input ``name`` that ``values`` go into (made, NaN throughout, for its first values);
    None where ``values`` are all null (an input null throughout has no matrix)."""
    if values.null_count == len(values):
        return None
    if grids[name] is None:
        grids[name] = np.full(shape, np.nan)
    return grids[name]


def _string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """An Arrow string array's offsets (its own ``len + 1``) and bytes, as NumPy views."""
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset : values.offset + len(values) + 1]
    data = values.buffers()[2]
    return offsets, (np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8))


def meter_id_lookup(keyed: pa.Table) -> tuple[np.ndarray, np.ndarray] | None:
    """The keyed meters' ids (:func:`keyed_meters`: in meter-id order, row = meter key) as the string
    buffers that :func:`validated_days`' ``files`` looks the readings' ids up in (a binary search in byte
    order); None where they are not strictly ascending in byte order (a collation other than bytes)."""
    ids = keyed["meter_id"].combine_chunks()
    if ids.null_count:
        return None
    offsets, data = _string_buffers(ids)
    return (offsets, data) if kernels.strictly_ascending(offsets, data) else None


def _file_groups(files) -> list | None:
    """The row groups that :func:`_file_grids` reads of the daily frame's Parquet ``files``, as
    ``(file, its metadata, row group, its input columns as (input, column))``, each file's footer read
    once; None where a file does not hold the stored types (meter ids as text, dates as dates, inputs as
    floating-point numbers, as the store writes them): DuckDB's join reads those."""
    groups = []
    for path in files:
        with pq.ParquetFile(path) as parquet:
            metadata, schema = parquet.metadata, parquet.schema_arrow
        types = {name: schema.field(name).type for name in schema.names}
        meter_id = types.get("meter_id", pa.null())
        if not (pa.types.is_string(meter_id) or pa.types.is_large_string(meter_id)):
            return None
        if types.get("reading_date") != pa.date32():
            return None
        if any(c in types and not pa.types.is_floating(types[c]) for c in _FILE_COLUMNS.values()):
            return None
        columns = [(name, column) for name, column in _FILE_COLUMNS.items() if column in types]
        if columns:
            groups.extend((path, metadata, group, columns) for group in range(metadata.num_row_groups))
    return groups


def _file_grids(groups, lookup, first: dt.date, last: dt.date, grids: dict, k: int) -> dict:
    """:func:`_reading_grids` from the row groups of the daily frame's Parquet files (``groups``:
    :func:`_file_groups`), by Arrow's reader and without a
    join: each row group's dictionary of meter ids is looked up once among the keyed meters' ids
    (``lookup``: :func:`meter_id_lookup`), and each reading goes into its cell by a compiled loop in a
    thread of its own, while the next row group is read.  ``grids`` as :func:`_reading_grids` has them,
    the first ``k`` days known (not read again)."""
    n_meters = len(lookup[0]) - 1
    n_days = (last - first).days + 1
    first_day = np.int32((first - EPOCH).days)

    def scatter(table: pa.Table, columns) -> None:
        ids = table.column("meter_id").combine_chunks()
        if not isinstance(ids, pa.DictionaryArray):
            ids = ids.dictionary_encode()
        keys = kernels.positions_in_sorted(*lookup, *_string_buffers(ids.dictionary))
        entry = ids.indices.fill_null(0).to_numpy(zero_copy_only=False)
        day = table.column("reading_date").combine_chunks().view(pa.int32())
        # a reading with no meter, no day or a known day: outside the matrix
        day = day.fill_null(0).to_numpy(zero_copy_only=False)
        unread = ~ids.is_valid().to_numpy(zero_copy_only=False) | (day < first_day + k)
        if table.column("reading_date").null_count or unread.any():
            day = np.where(unread, first_day - 1, day).astype(np.int32)
        for name, column in columns:
            values = table.column(column)
            grid = _input_grid(grids, name, values, (n_meters, n_days))
            if grid is not None:
                kernels.scatter_readings(grid, keys, entry, day, first_day, _as_float(values))

    # a reader of each file per thread (Arrow's reader of a file is not safe for two threads at once)
    local, opened = threading.local(), []

    def read(path: str, metadata, group: int, columns) -> tuple[pa.Table, list]:
        files_opened = local.__dict__.setdefault("files", {})  # this thread's readers, by file
        if path not in files_opened:
            files_opened[path] = pq.ParquetFile(path, metadata=metadata, read_dictionary=["meter_id"])
            opened.append(files_opened[path])
        names = ["meter_id", "reading_date", *[c for _, c in columns]]
        return files_opened[path].read_row_group(group, columns=names, use_threads=False), columns

    # two row groups read side by side (Arrow decodes one on one core), each scattered in its turn in a
    # thread of its own: a few row groups in memory at a time
    try:
        with ThreadPoolExecutor(READ_THREADS) as reader, ThreadPoolExecutor(1) as scatterer:
            reads = [reader.submit(read, *group) for group in groups[:READ_THREADS]]
            following = iter(groups[READ_THREADS:])
            scattered: list = []
            while reads:
                table, columns = reads.pop(0).result()
                group = next(following, None)
                if group is not None:
                    reads.append(reader.submit(read, *group))
                if table.num_rows:
                    scattered.append(scatterer.submit(scatter, table, columns))
                while len(scattered) > 1:
                    scattered.pop(0).result()
            for job in scattered:
                job.result()
    finally:
        for parquet in opened:
            parquet.close()
    return grids


def _reading_grids(
    con, readings, keys, first: dt.date, last: dt.date, n_meters: int, known=None, files=None
) -> dict:
    """The readings of ``first``..``last`` as ``n_meters x days`` matrices, one per kernel input (NaN
    where no reading; ``None`` for an input null throughout), filled batch by batch from DuckDB's stream.

    ``known``, if given, is ``(k, {input: n_meters x k matrix or None})``: the matrices of the first
    ``k`` days as an earlier call made them (:func:`validated_days`' ``known_readings``); only the
    readings from day ``k`` on are read.

    DuckDB gives each reading its cell (``meter key x days + day``), so the readings go into their place
    in one scatter per batch, whatever their order in the files: no sort of the readings and no copy of
    them as a whole.  Two readings of one meter-day: the later one in the stream counts, as the kernel's
    own scatter (:func:`vee_series.block_series`) does with its readings in the order given.
    """
    n_days = (last - first).days + 1
    # an input the source lacks is a null literal (:func:`nullable_column`): not read (nulls of every
    # reading cost about 1 s of CPU per 60 million readings to make and skip)
    inputs = [(name, column) for name, column in _INPUT_COLUMNS if not _null_literal(readings, column)]
    grids: dict = {name: None for name, _ in _INPUT_COLUMNS}
    if known is not None:
        k, prefix = known
        if not 0 < k <= n_days:
            raise ValueError(f"known readings of {k} days for a period of {n_days}")
        for name, values in prefix.items():
            if values is None:
                continue
            if values.shape != (n_meters, k):
                raise ValueError(f"known readings '{name}' of shape {values.shape}, not {(n_meters, k)}")
            grids[name] = np.empty((n_meters, n_days))  # each cell written once: fresh memory is slow here
            grids[name][:, :k] = values
            grids[name][:, k:] = np.nan
        readings = readings.filter(readings.reading_date >= first + dt.timedelta(days=k))
    if files is not None:  # (the row groups of :func:`_file_groups`, the lookup of the meters' ids)
        return _file_grids(files[0], files[1], first, last, grids, known[0] if known else 0)
    d = readings.inner_join(keys, "meter_id")
    day = (d.reading_date.epoch_days() - (first - EPOCH).days).cast("int64")
    d = d.select(*[column for _, column in inputs], _cell=d._mk.cast("int64") * n_days + day)

    def scatter(batch):
        cell = batch.column("_cell").to_numpy()
        for name, column in inputs:
            values = batch.column(column)
            grid = _input_grid(grids, name, values, (n_meters, n_days))
            if grid is not None:
                grid.ravel()[cell] = _as_float(values)

    # one thread scatters the batches, in their order, while DuckDB makes the next ones (at most two
    # waiting: the memory of a few batches)
    pending = []
    with ThreadPoolExecutor(1) as pool:
        for batch in con._to_duckdb_relation(d).to_arrow_reader(1 << 20):
            if batch.num_rows:
                pending.append(pool.submit(scatter, batch))
            while len(pending) > 2:
                pending.pop(0).result()
        for job in pending:
            job.result()
    return grids


def _run_grids(grids, lo, hi, multiplier, capacity, first, last, start, end, registers, rules, flat=True):
    """Meters ``lo``..``hi`` of the reading matrices through :func:`vee_series.grid_series`; columns of
    :data:`_SERIES_SCHEMA` as arrays.  An input with no value among these meters is ``None``, as
    :func:`vee_series.block_series` has it for a block.  ``flat=False``: the series as ``grid_series``
    gives them then, matrices of the meters x every day read (``first`` .. ``last``)."""
    part = {}
    for name, grid in grids.items():
        rows = None if grid is None else grid[lo:hi]
        part[name] = None if rows is None or np.isnan(rows).all() else rows
    out = vee_series.grid_series(
        part["register"],
        part["reported"],
        part["reported_multiplier"],
        n_meters=hi - lo,
        n_days=(last - first).days + 1,
        multiplier=multiplier,
        capacity_kwh=capacity,
        registers=registers,
        rules=rules,
        out_first=(start - first).days,
        out_last=(end - first).days,
        flat=flat,
    )
    return _placed(out, lo, first) if flat else out


def _placed(out: dict, lo: int, first) -> dict:
    """A kernel part's columns with its meters and days placed in the whole run: the meter key ``_mk``
    (the part's first key ``lo`` added) and the day's index since ``EPOCH`` (``first`` is its day 0)."""
    out["_mk"] = out.pop("meter_index") + np.int32(lo)
    out["day_index"] = out.pop("day") + np.int32((first - EPOCH).days)
    return out


def _run_block(inputs, lo, n_meters, multiplier, capacity, first, last, start, end, registers, rules):
    """One block through :func:`vee_series.block_series`; columns of :data:`_SERIES_SCHEMA` as arrays."""
    out = vee_series.block_series(
        inputs["mk"] - lo,
        inputs["day"],
        inputs["register"],
        inputs["reported"],
        inputs["reported_multiplier"],
        n_meters=n_meters,
        n_days=(last - first).days + 1,
        multiplier=multiplier,
        capacity_kwh=capacity,
        registers=registers,
        rules=rules,
        out_first=(start - first).days,
        out_last=(end - first).days,
    )
    return _placed(out, lo, first)


def _series_duckdb(con, readings, keyed, first, last, start, end, registers, rules, per_block, register=True):
    """The VEE series on DuckDB (or any local backend): the meters through NumPy, one memtable.

    The readings of the period are read in one query (the Parquet files once, whatever their row order)
    straight into matrices of meters x days (:func:`_reading_grids`); the meters go to the kernel in
    blocks of ``per_block`` and, within a block, in parts of :data:`METERS_PER_KERNEL_CALL` (rows of the
    matrices), run in threads, one per core (NumPy releases the GIL in its loops).
    """
    args = (con, readings, keyed, first, last, start, end, registers, rules, per_block, register)
    parts = _series_parts(*args, finish=lambda out, a, b: _to_arrow(out))
    if not parts:
        parts = [pa.schema([(k, _ARROW_TYPES[v]) for k, v in _SERIES_SCHEMA.items()]).empty_table()]
    return _table(con if register else None, pa.concat_tables(parts))


def _series_parts(
    con,
    readings,
    keyed,
    first,
    last,
    start,
    end,
    registers,
    rules,
    per_block,
    register,
    *,
    finish,
    known=None,
    on_readings=None,
    flat=True,
    files=None,
):
    """The kernel's output of each part of the meters (:func:`_series_duckdb`), each through
    ``finish(out, first meter key, end meter key)`` in the part's thread: a list of what it returns.
    ``known``, ``on_readings`` and ``files``: see :func:`validated_days`; ``flat``: :func:`_run_grids`'."""
    n = keyed.num_rows
    multiplier, capacity = _as_float(keyed["archive_multiplier"]), _as_float(keyed["capacity_kwh"])
    threads = max(1, min(os.cpu_count() or 1, 8))
    parts = []
    if n:
        key_data = keyed.select(["meter_id", "_mk"])
        if files is not None:
            grids = _reading_grids(con, readings, None, first, last, n, known, files=files)
        elif register and con.name == "duckdb":
            # a table of DuckDB's own for the join with every reading: its probe takes half the time of
            # the same join with the Arrow table scanned in place (0.7 s against 1.4 s for a month of
            # 1,000,000 meters); copying it in takes 0.02 s
            name = f"{SERIES_PREFIX}keys_{uuid.uuid4().hex}"
            con.con.register(f"{name}_arrow", key_data)
            try:
                con.con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "{name}_arrow"')
            finally:
                con.con.unregister(f"{name}_arrow")
            try:
                grids = _reading_grids(con, readings, con.table(name), first, last, n, known)
            finally:
                con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        else:
            keys = _table(con if register else None, key_data)
            grids = _reading_grids(con, readings, keys, first, last, n, known)
        if on_readings is not None:
            on_readings(grids)
        calls = []  # (first meter, end meter) of each kernel call, block by block
        for lo in range(0, n, per_block):
            hi = min(lo + per_block, n)
            step = min(-(-(hi - lo) // threads), METERS_PER_KERNEL_CALL)
            calls.extend((a, min(a + step, hi)) for a in range(lo, hi, step))

        def run(call):
            a, b = call
            args = (grids, a, b, multiplier[a:b], capacity[a:b], first, last, start, end, registers, rules)
            return finish(_run_grids(*args, flat=flat), a, b)

        with ThreadPoolExecutor(threads) as pool:
            parts = list(pool.map(run, calls))
        del grids
    return parts


def release_series(con) -> None:
    """Free the VEE series that :func:`validate_daily` left on ``con`` (DuckDB or PySpark).

    The series of a call stay on the connection as long as expressions built on the result may run;
    call this when those results are computed (or materialised), e.g. after each bucket of a large run.
    """
    if con.name == "duckdb":
        rows = con.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE starts_with(view_name, ?)", [SERIES_PREFIX]
        ).fetchall()
        for (name,) in rows:
            con.con.unregister(name)
    elif con.name == "pyspark":
        for table in con._session.catalog.listTables():
            if table.isTemporary and table.name.startswith(SERIES_PREFIX):
                con._session.catalog.dropTempView(table.name)


def _to_arrow(out) -> pa.Table:
    """The series as an Arrow table of :data:`_SERIES_SCHEMA` (NaN and ``None`` columns as nulls)."""
    n = len(out["_mk"])
    columns = {}
    for name, dtype in _SERIES_SCHEMA.items():
        values = out[name]
        if values is None:
            columns[name] = pa.nulls(n, _ARROW_TYPES[dtype])
        elif dtype == "float64":
            columns[name] = pa.array(values, pa.float64(), from_pandas=True)
        else:
            columns[name] = pa.array(values, _ARROW_TYPES[dtype])
    return pa.table(columns)


def _series_pyspark(
    con, readings, keyed, first, last, start, end, registers, rules, per_block, register=True
):
    """The VEE series on Spark: the same NumPy kernel per block of meters, as a grouped pandas function."""
    n = keyed.num_rows
    multiplier, capacity = _as_float(keyed["archive_multiplier"]), _as_float(keyed["capacity_kwh"])
    keys = ibis.memtable(keyed.select(["meter_id", "_mk"]))
    d = readings.inner_join(keys, "meter_id").drop("meter_id")
    d = d.mutate(_block=(d._mk // per_block).cast("int64"))
    # one row per block without a reading, so that a block with no readings still gets its days
    blocks = ibis.memtable(
        pa.table(
            {
                "reading_date": pa.nulls(-(-n // per_block), pa.date32()),
                "register_total_kwh": pa.nulls(-(-n // per_block), pa.float64()),
                "reported_energy_kwh": pa.nulls(-(-n // per_block), pa.float64()),
                "reported_multiplier": pa.nulls(-(-n // per_block), pa.float64()),
                "_mk": pa.array([b * per_block for b in range(-(-n // per_block))], pa.int32()),
                "_block": pa.array(range(-(-n // per_block)), pa.int64()),
            }
        )
    )
    d = d.select(*blocks.columns).union(blocks.cast(d.select(*blocks.columns).schema()))
    con._run_pre_execute_hooks(d)
    frame = con._session.sql(con.compile(d))
    first_epoch = (first - EPOCH).days

    def per_block_frame(pdf):
        import pandas as pd

        block = int(pdf["_block"].iloc[0])
        lo, hi = block * per_block, min((block + 1) * per_block, n)
        dates = pd.to_datetime(pdf["reading_date"])
        day = np.where(dates.isna(), -1, (dates - pd.Timestamp(EPOCH)).dt.days.fillna(0).astype(np.int64))
        inputs = dict(
            mk=pdf["_mk"].to_numpy(np.int32),
            day=np.where(day < 0, -1, day - first_epoch),
            register=pdf["register_total_kwh"].to_numpy(np.float64, na_value=np.nan),
            reported=pdf["reported_energy_kwh"].to_numpy(np.float64, na_value=np.nan),
            reported_multiplier=pdf["reported_multiplier"].to_numpy(np.float64, na_value=np.nan),
        )
        out = _run_block(
            inputs, lo, hi - lo, multiplier[lo:hi], capacity[lo:hi], first, last, start, end, registers, rules
        )
        return _to_arrow(out).to_pandas()

    ddl = ", ".join(
        f"{name} {dict(float64='double', boolean='boolean', int32='int')[dtype]}"
        for name, dtype in _SERIES_SCHEMA.items()
    )
    result = frame.groupBy("_block").applyInPandas(per_block_frame, schema=ddl)
    name = f"{SERIES_PREFIX}{uuid.uuid4().hex}"
    result.createOrReplaceTempView(name)
    return con.table(name)


def keyed_meters(meters, con) -> pa.Table:
    """Every meter with a dense integer key (``_mk``, in meter-id order; row ``_mk`` of the table) and its
    archive attributes (:func:`meter_limits`), as Arrow: what :func:`validated_days` places the readings
    by.  A run of several months over the same meters computes it once (``keyed_meters=``)."""
    limits = meter_limits(meters)
    return con.to_pyarrow(
        limits.mutate(_mk=(ibis.row_number().over(ibis.window(order_by="meter_id"))).cast("int32")).order_by(
            "_mk"
        )
    )


def _inputs(daily, meters, start, end, rules, history_start, lookahead_end, con, keyed=None):
    """(first day read, last day read, connection, register the series on it, the keyed meters as Arrow,
    the readings of the days read) for :func:`validate_daily` and :func:`validated_days`."""
    first = history_start or (start - dt.timedelta(days=rules.history_days + 1))
    last = max(lookahead_end or end, end)
    # inputs bound to no connection (in-memory tables) give a result bound to none either
    register = con is not None or _bound_backend(daily, meters) is not None
    con = con or _bound_backend(daily, meters) or ibis.get_backend()
    # every meter gets a dense integer key (``_mk``, in meter-id order) and its archive attributes, once
    if keyed is None:
        keyed = keyed_meters(meters, con)
    d = daily.filter((daily.reading_date >= first) & (daily.reading_date <= last))
    d = d.select(
        "meter_id",
        "reading_date",
        register_total_kwh=nullable_column(d, "register_total_kwh"),
        reported_energy_kwh=nullable_column(d, "energy_kwh"),
        reported_multiplier=nullable_column(d, "multiplier"),
    )
    return first, last, con, register, keyed, d


#: The quality codes in :func:`validate_daily`'s order of precedence (:func:`_codes`' conditions), valid last.
CODE_ORDER = (
    QualityCode.MISSING,
    QualityCode.ESTIMATED,
    QualityCode.REGISTER_BACKWARDS,
    QualityCode.MULTIPLIER_MISMATCH,
    QualityCode.RUNAWAY,
    QualityCode.STOPPED,
    QualityCode.LONG_ZERO_RUN,
    QualityCode.SUDDEN_RISE,
    QualityCode.SUDDEN_DROP,
    QualityCode.VALID,
)


def _codes(series, cols: slice, max_kwh, archive_multiplier, area, loaded, rules: VeeRules) -> np.ndarray:
    """Each meter-day's quality code as its index in :data:`CODE_ORDER` (a part's meters x the days
    ``cols`` of its series: :func:`vee_series.grid_series`'s matrices, ``flat=False``), from the kernel's
    output: the CASE of :func:`validate_daily` (:func:`kernels.quality_codes`; NaN is its null: a
    comparison with it is false).  ``max_kwh``, ``archive_multiplier`` and ``area`` (the row of
    ``loaded``: the area's days with supply) per meter."""
    empty = np.zeros((0, 0))

    def grid(name, dtype=None):
        values = series[name]
        return empty.astype(dtype or np.float64) if values is None else values[:, cols]

    return kernels.quality_codes(
        grid("energy_kwh"),
        grid("is_read"),
        grid("backwards", np.bool_),
        grid("reported_multiplier"),
        grid("is_zero"),
        grid("zero_run_days"),
        grid("stopped_history"),
        grid("hist_n"),
        grid("hist_mean"),
        np.ascontiguousarray(max_kwh, dtype=np.float64),
        np.ascontiguousarray(archive_multiplier, dtype=np.float64),
        loaded,
        area,
        int(rules.min_history_days),
        float(rules.min_history_kwh),
        int(rules.long_zero_run_days),
        float(rules.sudden_rise_factor),
        float(rules.sudden_drop_factor),
    )


def validated_days(
    daily,
    meters,
    start: dt.date,
    end: dt.date,
    *,
    area_supply=None,
    rules: VeeRules = VEE,
    registers: bool = True,
    con=None,
    meters_per_block: int = METERS_PER_BLOCK,
    per_part=None,
    known_readings=None,
    on_readings=None,
    keyed=None,
    files=None,
) -> tuple[pa.Table, pa.Table, list]:
    """:func:`validate_daily`'s ``meter_id, reading_date, energy_kwh, quality_code`` on DuckDB, as one
    Arrow table made in the kernel's threads: the quality codes in NumPy from the kernel's output (the
    same CASE), the meter ids dictionary-encoded (each block's ids of the keyed meters, indexed per
    meter-day: cast to string where a plain column is needed), the quality code too (its indices are
    the code's place in :data:`CODE_ORDER`), no SQL joins after the kernel.  ``meter_keys``: the keyed
    meters (``meter_id, area_code, line_code, station_code``), in the order of the days' meters.

    ``per_part``, if given, is called once with ``meter_keys`` before the kernel runs and returns a
    function ``f(lo, hi, energy, code)``, called in the kernel's thread for each part of the meters
    (keys ``lo``..``hi - 1``) with its days as ``(hi - lo) x days`` matrices (energy, NaN where none; the
    code's index) while they are in cache; what ``f`` returns is listed in the parts' order.  Returns
    ``(days, meter_keys, [f's results])`` (the list empty without ``per_part``).

    ``on_readings``, if given, is called with the readings as the kernel takes them, before it runs:
    ``{input: meters x days matrix or None}`` over the days read (``start`` less ``rules.history_days``
    + 1 days .. ``end``; read-only, in ``meter_keys`` order).  ``known_readings``, ``(k, {input: meters
    x k matrix or None})``, are the first ``k`` of those days as such a call gave them (the next month
    reads only its own days: the caller vouches that they are the same readings and meters); the
    readings of those days are then not read.  ``keyed``: :func:`keyed_meters` of ``meters``, where the
    caller has it already.  ``files``, if given, ``(paths, lookup)``: ``daily`` is these Parquet files of
    the daily frame (all of its rows: filtered to the days read here), read by Arrow's reader without a
    join of every reading with the meters' keys (:func:`_file_grids`), where the files hold the stored
    types and ``lookup`` (:func:`meter_id_lookup` of ``keyed``) is not None; otherwise ``daily`` is read
    by DuckDB as usual.  ``area_supply`` as :func:`validate_daily` has it, or a ``Future`` of its rows
    as Arrow (``area_code, reading_date, supply_kwh``; the days outside the month are not read): made
    in another thread while the readings are read, waited for when the first part's codes are made.

    The same rows and values as :func:`validate_daily` (``test_quality.py``); its other parameters take
    their defaults here (no look-ahead, the history from ``rules``).
    """
    first, last, con, register, keyed, d = _inputs(daily, meters, start, end, rules, None, None, con, keyed)
    keys = keyed.select(["meter_id", "area_code", "line_code", "station_code"])
    each = None if per_part is None else per_part(keys)
    meter_ids = keyed["meter_id"].combine_chunks()
    max_kwh = _as_float(keyed["max_kwh_per_day"])
    archive_multiplier = _as_float(keyed["archive_multiplier"])
    n_days = (end - start).days + 1
    offset = np.int32((start - EPOCH).days)
    # the area's supply per (area, day) as a matrix: a day counts as loaded where the area has no supply
    # row (as the left join of validate_daily) or its supply is above zero
    areas = keyed["area_code"].combine_chunks().dictionary_encode()
    area_of_meter = areas.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    area_of_meter = np.where(area_of_meter < 0, len(areas.dictionary), area_of_meter)

    def loaded(s: pa.Table | None) -> np.ndarray:
        """Areas x days (the last row: no area): loaded where the area has no supply row that day (as
        the left join of validate_daily) or its supply is above zero."""
        grid = np.ones((len(areas.dictionary) + 1, n_days), dtype=bool)
        if s is None:
            return grid
        index = pc.index_in(s["area_code"], value_set=areas.dictionary)
        day = s["reading_date"].cast(pa.int32()).to_numpy(zero_copy_only=False) - offset
        known = index.is_valid().to_numpy(zero_copy_only=False) & (day >= 0) & (day < n_days)
        a = index.to_numpy(zero_copy_only=False)[known].astype(np.int64)
        day = day[known]
        supply = _as_float(s["supply_kwh"])[known]
        if len(np.unique(a * n_days + day)) != len(a):
            raise ValueError("area_supply has more than one row per area and day")
        grid[a, day] = np.isnan(supply) | (supply > 0)
        return grid

    if isinstance(area_supply, Future):  # made meanwhile: waited for by the first part's codes
        pending, lock, made = area_supply, threading.Lock(), []

        def loaded_grid_of() -> np.ndarray:
            with lock:
                if not made:
                    made.append(loaded(pending.result()))
                return made[0]
    else:
        rows = None
        if area_supply is not None:
            rows = con.to_pyarrow(
                area_supply.filter(area_supply.reading_date.between(start, end)).select(
                    "area_code", "reading_date", "supply_kwh"
                )
            )
        grid = loaded(rows)

        def loaded_grid_of() -> np.ndarray:
            return grid

    per_block = max(1, int(meters_per_block))

    days_read = (start - first).days  # the month's days are the columns from here of the kernel's matrices
    cols = slice(days_read, days_read + n_days)
    # each meter-day's meter (its place in its block) and day (since EPOCH) for a whole block, in the
    # parts' row order: a part's columns are slices of these (no new memory per part)
    block_meters = min(per_block, len(meter_ids))
    block_index = np.repeat(np.arange(block_meters, dtype=np.int32), n_days)
    block_days = np.tile(np.arange(n_days, dtype=np.int32) + offset, block_meters)

    def finish(out, lo, hi):
        # the kernel's matrices of the part's meters x the days read: the month's days are columns of them
        code = _codes(
            out,
            cols,
            max_kwh[lo:hi],
            archive_multiplier[lo:hi],
            area_of_meter[lo:hi],
            loaded_grid_of(),
            rules,
        )
        energy = np.ascontiguousarray(out["energy_kwh"][:, cols])
        # the meter ids dictionary-encoded (no string per meter-day), the dictionary the ids of the part's
        # block: every part of a block has the same one, which Arrow's Parquet writer writes once for a
        # row group of the block's rows (a new dictionary within a row group makes it hash every id)
        block_lo = lo - lo % per_block
        block = meter_ids.slice(block_lo, min(per_block, len(meter_ids) - block_lo))
        rows = (hi - lo) * n_days
        in_block = block_index[(lo - block_lo) * n_days : (hi - block_lo) * n_days]
        table = pa.table(
            {
                "meter_id": pa.DictionaryArray.from_arrays(  # indices in range by construction
                    pa.Array.from_buffers(pa.int32(), rows, [None, pa.py_buffer(in_block)]), block, safe=False
                ),
                "reading_date": pa.Array.from_buffers(
                    pa.date32(), rows, [None, pa.py_buffer(block_days[:rows])]
                ),
                "energy_kwh": float_array(energy.ravel()),
                "_code": pa.array(code.ravel(), pa.int8()),
            }
        )
        if each is None:
            return table, None
        return table, each(lo, hi, energy, code)

    args = (con, d, keyed, first, last, start, end, registers, rules, per_block, register)
    if files is not None:
        paths, lookup = files
        groups = _file_groups(paths) if con.name == "duckdb" and lookup is not None else None
        files = None if groups is None else (groups, lookup)
    results = _series_parts(
        *args, finish=finish, known=known_readings, on_readings=on_readings, flat=False, files=files
    )
    parts = [table for table, _ in results]
    schema = pa.schema(
        [
            ("meter_id", pa.dictionary(pa.int32(), pa.string())),
            ("reading_date", pa.date32()),
            ("energy_kwh", pa.float64()),
            ("_code", pa.int8()),
        ]
    )
    days = pa.concat_tables(parts) if parts else schema.empty_table()
    names = pa.array([c.value for c in CODE_ORDER], pa.string())
    days = pa.table(
        {
            "meter_id": days["meter_id"],
            "reading_date": days["reading_date"],
            "energy_kwh": days["energy_kwh"],
            # dictionary-encoded (the ten codes, indexed by ``_code``): no string per meter-day
            "quality_code": pa.chunked_array(
                [pa.DictionaryArray.from_arrays(c, names, safe=False) for c in days["_code"].chunks],
                pa.dictionary(pa.int8(), pa.string()),
            ),
        }
    )
    return days, keys, [extra for _, extra in results] if each is not None else []


def validate_daily(
    daily,
    meters,
    start: dt.date,
    end: dt.date,
    *,
    area_supply=None,
    rules: VeeRules = VEE,
    history_start: dt.date | None = None,
    lookahead_end: dt.date | None = None,
    registers: bool = True,
    con=None,
    meters_per_block: int = METERS_PER_BLOCK,
):
    """Give every (meter, day) of ``start``..``end`` a quality code, an estimate and its energy.

    Parameters
    ----------
    daily : ibis.Table
        Canonical daily readings (registers [kWh] and/or consumption [kWh]); may hold other days.
    meters : ibis.Table
        Canonical meters (multiplier, rated voltage [V], max current [A], phases, register digits).
    start, end : datetime.date
        The period to return, inclusive.
    area_supply : ibis.Table, optional
        ``area_code, reading_date, supply_kwh``; a day with supply > 0 means the area shows load.
        Without it every day counts as loaded.
    rules : VeeRules
        Thresholds.
    history_start : datetime.date, optional
        First day read for history (previous register, customer's own mean); by default
        ``rules.history_days + 1`` days before ``start``.
    lookahead_end : datetime.date, optional
        Last day read after ``end``, so that a register missing at the end of the period can be
        interpolated with the next reading; by default ``end`` (no look-ahead).
    registers : bool
        False for a source of daily consumption only: skips the register steps (rollover, interpolation,
        backwards), which are most of the work; missing days are then estimated from the neighbours.

    Returns
    -------
    ibis.Table
        meter_id, area_code, line_code, station_code, reading_date, register_total_kwh (original),
        register_estimated_kwh, energy_kwh [kWh], is_read (an actual reading), quality_code,
        history_mean_kwh (the customer's own mean over the previous days [kWh/day]), zero_run_days.
    """
    first, last, con, register, keyed, d = _inputs(
        daily, meters, start, end, rules, history_start, lookahead_end, con
    )
    per_block = max(1, int(meters_per_block))
    series = _series_pyspark if con.name == "pyspark" else _series_duckdb
    t = series(con, d, keyed, first, last, start, end, registers, rules, per_block, register)
    days = calendar(start, end)
    t = t.inner_join(days, "day_index")
    attributes = ["_mk", "meter_id", "area_code", "line_code", "station_code", "max_kwh_per_day"]
    attributes += ["archive_multiplier"]
    t = t.inner_join(_table(con if register else None, keyed).select(*attributes), "_mk")
    if area_supply is not None:
        s = area_supply.select("area_code", "reading_date", area_supply_kwh="supply_kwh")
        t = t.left_join(s, ["area_code", "reading_date"])
        loaded = t.area_supply_kwh.isnull() | (t.area_supply_kwh > 0)
    else:
        loaded = ibis.literal(True)

    judged = t.hist_n >= rules.min_history_days
    code = ibis.cases(
        (~t.is_read & t.energy_kwh.isnull(), QualityCode.MISSING.value),
        (~t.is_read, QualityCode.ESTIMATED.value),
        (t.backwards.fill_null(False), QualityCode.REGISTER_BACKWARDS.value),
        (
            t.reported_multiplier.notnull() & ((t.reported_multiplier - t.archive_multiplier).abs() > 1e-9),
            QualityCode.MULTIPLIER_MISMATCH.value,
        ),
        ((t.energy_kwh > t.max_kwh_per_day).fill_null(False), QualityCode.RUNAWAY.value),
        (
            t.is_zero & loaded & t.stopped_history,
            QualityCode.STOPPED.value,
        ),
        (t.is_zero & (t.zero_run_days >= rules.long_zero_run_days), QualityCode.LONG_ZERO_RUN.value),
        (
            judged
            & (t.hist_mean >= rules.min_history_kwh).fill_null(False)
            & (t.energy_kwh > rules.sudden_rise_factor * t.hist_mean).fill_null(False),
            QualityCode.SUDDEN_RISE.value,
        ),
        (
            judged
            & (t.hist_mean >= rules.min_history_kwh).fill_null(False)
            & (t.energy_kwh < rules.sudden_drop_factor * t.hist_mean).fill_null(False),
            QualityCode.SUDDEN_DROP.value,
        ),
        else_=QualityCode.VALID.value,
    )
    return t.select(
        "meter_id",
        "area_code",
        "line_code",
        "station_code",
        "reading_date",
        "register_total_kwh",
        register_estimated_kwh=ibis.ifelse(t.register_total_kwh.isnull(), t.filled, _NULL),
        energy_kwh=t.energy_kwh,
        is_read=t.is_read,
        quality_code=code,
        history_mean_kwh=t.hist_mean,
        zero_run_days=t.zero_run_days,
    )


def reading_rate(vee, level: str = "area_code"):
    """Reading rate (实抄率) per ``level`` (area_code, line_code or station_code) and day.

    Returns
    -------
    ibis.Table
        level, reading_date, meters, meters_read, reading_rate_percent [%].
    """
    g = vee.group_by([level, "reading_date"]).aggregate(
        meters=vee.meter_id.count(), meters_read=vee.is_read.cast("int64").sum()
    )
    return g.mutate(
        reading_rate_percent=g.meters_read.cast("float64") * 100.0 / g.meters.cast("float64")
    ).order_by([level, "reading_date"])


def quality_summary(vee):
    """Count of readings per area, day and quality code."""
    return vee.group_by(["area_code", "reading_date", "quality_code"]).aggregate(
        readings=vee.meter_id.count()
    )


def curves_to_daily(curves, *, interval_minutes: int = 15):
    """Daily consumption [kWh] per meter from interval energy, as a canonical daily frame.

    A day with fewer than ``24 x 60 / interval_minutes`` intervals gets no consumption (null), so that
    VEE sees it as missing and estimates it instead of taking a partial sum.

    Returns
    -------
    ibis.Table
        meter_id, reading_date, energy_kwh [kWh], intervals.
    """
    expected = 24 * 60 // interval_minutes
    c = curves.mutate(energy_kwh=nullable_column(curves, "energy_kwh"))
    c = c.filter(c.energy_kwh.notnull())
    c = c.mutate(reading_date=c.timestamp.date())
    g = c.group_by(["meter_id", "reading_date"]).aggregate(
        energy_kwh=c.energy_kwh.sum(), intervals=c.meter_id.count()
    )
    return g.mutate(energy_kwh=ibis.ifelse(g.intervals >= expected, g.energy_kwh, _NULL))
