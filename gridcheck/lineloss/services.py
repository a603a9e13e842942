"""Services of line loss: create, run and store the monthly analysis; set loss targets.

``analysis_run_execute`` builds the archive frames from the database, calls
``gridcheck_analytics.pipeline.run_monthly`` with a progress callback that updates the run row (committed
at once, so the progress page can poll it), and writes every result of the month in one transaction:
re-running a month replaces its results. A PySpark run with ``GRIDCHECK_SPARK_MASTER`` set runs on that
Spark cluster instead, from a child process (``_run_on_cluster``, docs/scale-out.md), and its results are
saved the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import translation

from gridcheck.core.periods import month_end, month_parse
from gridcheck.core.runs import run_create, run_enqueue, run_execute
from gridcheck.lineloss.causes import causes_render
from gridcheck.lineloss.choices import Backend
from gridcheck.lineloss.models import (
    LOSS_FLAGS,
    AnalysisRun,
    AreaDayLoss,
    AreaMonthLoss,
    LineMonthLoss,
    LossTarget,
)
from gridcheck.lineloss.selectors import loss_targets
from gridcheck.readings.selectors import archive_frames, area_index, meter_store
from gridcheck.readings.services import reading_rates_replace

logger = logging.getLogger(__name__)

#: The pipeline's steps plus writing the results.
SAVE_STEP = "save"
#: Ibis backend of the child process of a cluster run (tests run the child on DuckDB, without a cluster).
CLUSTER_BACKEND = "pyspark"


class ClusterRunError(RuntimeError):
    """The child process of a cluster run failed; the message is its one error line."""


def _f(value, digits: int = 4):
    """A float for the database; ``None`` for NaN/NA."""
    if value is None or value is pd.NA:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else round(value, digits)


def analysis_run_create(*, month, started_by=None, backend: str = Backend.DUCKDB) -> AnalysisRun:
    """Record a queued run of the monthly analysis for ``month`` (``YYYY-MM`` or a date); refused while
    another run of the month is queued or running."""
    from gridcheck_analytics.pipeline import STEPS

    return run_create(
        AnalysisRun,
        month=month,
        started_by=started_by,
        backend=Backend(backend),
        progress_total=len(STEPS) + 1,
    )


def analysis_run_start(*, month, started_by=None, backend: str = Backend.DUCKDB) -> AnalysisRun:
    """Create a run and hand it to the background worker (the "开始分析" button)."""
    return run_enqueue(analysis_run_create(month=month, started_by=started_by, backend=backend))


def analysis_run_execute(
    *,
    run: AnalysisRun,
    progress: Callable[[str, int, int], None] | None = None,
    con=None,
    history_months: int = 3,
    heartbeat: bool = False,
) -> AnalysisRun:
    """Run the monthly analysis of ``run`` and store its results; the run ends succeeded or failed.

    Parameters
    ----------
    run : AnalysisRun
        A queued run (``analysis_run_create``).
    progress : callable, optional
        Also called as ``progress(step, done, total)`` (the terminal's progress bar).
    con : ibis connection, optional
        Reuse a connection (tests).
    history_months : int
        Months before the run's month also analysed (swing and three-month rules; months without
        results of their own are filled from them, e.g. the demo's whole year in one run).
    heartbeat : bool
        Beat from a thread while a step computes (the worker and the CLI).

    Returns
    -------
    AnalysisRun
        The run, reloaded. An error is recorded in ``run.error`` and the run marked failed; it is not
        raised.
    """
    from gridcheck_analytics.pipeline import STEPS, run_monthly

    total = len(STEPS) + 1

    master = settings.GRIDCHECK_SPARK_MASTER if run.backend == Backend.PYSPARK else ""

    def body(step_done) -> dict:
        if master:
            result = _run_on_cluster(run, master, history_months=history_months, step_done=step_done)
        else:
            result = run_monthly(
                meter_store(),
                archive_frames(),
                f"{run.month:%Y-%m}",
                backend=run.backend,
                con=con,
                targets=loss_targets(month=run.month),
                history_months=history_months,
                progress=lambda step, done, _total: step_done(step, done),
            )
        counts = analysis_results_save(run=run, result=result)
        step_done(SAVE_STEP, total)
        return counts

    return run_execute(run, body, steps=total, progress=progress, heartbeat=heartbeat)


def _run_on_cluster(
    run: AnalysisRun, master: str, *, history_months: int, step_done
) -> dict[str, pd.DataFrame]:
    """The results of ``run_monthly`` for the run's month, computed on the Spark cluster ``master``.

    The archive's meters (Parquet) and the loss targets (JSON) are written to a temporary folder under
    ``VAR_DIR/runs``; ``python -m gridcheck_analytics.cluster run`` (its own process, its own Spark
    driver) reads the meter store ``GRIDCHECK_DATA_DIR`` on the cluster and writes its result frames there,
    all or nothing; its ``step`` lines become the run's progress. The folder is removed afterwards.
    Raises :class:`ClusterRunError` with the child's error line when it exits non-zero.
    """
    import json

    from gridcheck_analytics.cluster import read_results, run_month_subprocess
    from gridcheck_analytics.pipeline import STEPS

    runs_dir = Path(settings.VAR_DIR) / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"lineloss-{run.pk}-", dir=runs_dir) as folder:
        folder = Path(folder)
        archive_frames()["meters"].to_parquet(folder / "meters.parquet", index=False)
        (folder / "targets.json").write_text(json.dumps(loss_targets(month=run.month)))
        proc = run_month_subprocess(
            settings.GRIDCHECK_DATA_DIR,
            f"{run.month:%Y-%m}",
            folder / "results",
            master=master,
            backend=CLUSTER_BACKEND,
            meters_path=folder / "meters.parquet",
            targets_path=folder / "targets.json",
            history_months=history_months,
        )
        # Spark logs to standard error: read it in a thread (a full pipe would stop the child), keep the end
        stderr: deque[str] = deque(maxlen=200)
        drain = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
        drain.start()
        try:
            for line in proc.stdout:
                words = line.split()
                if len(words) == 2 and words[0] == "step" and words[1] in STEPS:
                    step_done(words[1], STEPS.index(words[1]) + 1)
            code = proc.wait()
            drain.join(timeout=10)
        finally:
            if proc.poll() is None:  # the worker is stopping: the cluster application goes with the child
                proc.kill()
                proc.wait()
        if code != 0:
            errors = [line.strip() for line in stderr if line.startswith("error: ")]
            last = errors[-1].removeprefix("error: ") if errors else (stderr[-1].strip() if stderr else "")
            raise ClusterRunError(f"the Spark cluster run ({master}) failed with exit code {code}: {last}")
        return read_results(folder / "results")


def _area_month_obj(row, run, index, month: dt.date) -> AreaMonthLoss | None:
    ids = index.get(row.area_code)
    if ids is None:
        return None
    causes = list(row.causes) if row.flagged else []  # structured by the analysis; worded in causes.py
    imbalance = _f(row.imbalance_rate)
    return AreaMonthLoss(
        run=run,
        area_id=ids[0],
        line_id=ids[1],
        station_id=ids[2],
        month=month,
        supply_kwh=_f(row.supply_kwh, 3) or 0.0,
        sales_kwh=_f(row.sales_kwh, 3) or 0.0,
        loss_kwh=_f(row.loss_kwh, 3) or 0.0,
        loss_rate_percent=_f(row.loss_rate_percent),
        days=int(row.days),
        reading_rate_percent=_f(row.reading_rate_percent),
        imbalance_rate_percent=None if imbalance is None else round(imbalance * 100, 3),
        target_percent=float(row.target_percent),
        previous_loss_rate_percent=_f(row.previous_loss_rate_percent),
        negative_loss=bool(row.negative_loss),
        above_target=bool(row.above_target),
        swing=bool(row.swing),
        failing_months=int(row.failing_months),
        failing_three_months=bool(row.failing_three_months),
        imbalance=bool(row.imbalance),
        flagged=bool(row.flagged),
        causes=causes,
        causes_text=causes_render(causes),
    )


def area_average_tariffs(*, on: dt.date) -> dict[int, Decimal]:
    """``{area id: mean price [yuan/kWh]}`` of the area's customers' tariffs in force on ``on`` (the
    archive's tariff catalogue; a time-of-use tariff counts with its flat price)."""
    from gridcheck.archive.models import Customer, Tariff

    prices: dict[str, Decimal] = {}
    for code, price in (
        Tariff.objects.filter(effective_from__lte=on)
        .order_by("code", "effective_from")
        .values_list("code", "price_yuan_per_kwh")
    ):
        prices[code] = price
    sums: dict[int, list] = {}
    for area_id, code in Customer.objects.values_list("area_id", "tariff_code"):
        if code in prices:
            acc = sums.setdefault(area_id, [Decimal(0), 0])
            acc[0] += prices[code]
            acc[1] += 1
    return {a: (total / n).quantize(Decimal("0.0001")) for a, (total, n) in sums.items() if n}


def suspects_material(*, explained_kwh: float, loss_kwh: float, on: dt.date) -> bool:
    """Whether the suspects' explained loss matters against the area's loss: at least
    ``lineloss.suspects_material_min_kwh`` and at least ``lineloss.suspects_material_share`` of the
    month's loss (of any positive loss; a zero or negative loss takes the minimum alone). Rule-table rows,
    station rules."""
    from gridcheck.core.rules import rule_value

    minimum = float(rule_value("lineloss.suspects_material_min_kwh", on))
    share = float(rule_value("lineloss.suspects_material_share", on))
    return explained_kwh >= minimum and explained_kwh >= share * max(float(loss_kwh or 0.0), 0.0)


@transaction.atomic
def area_theft_suspects_set(
    *,
    month: dt.date,
    suspects: dict[int, list[str]],
    explained_kwh: dict[int, float] | None = None,
    expected_kwh: dict[int, float] | None = None,
) -> int:
    """Record on the month's area results the customers that theft detection lists, per area, and the
    loss they explain.

    ``suspects`` maps an area's id to the account numbers of its suspects, most suspect first;
    ``explained_kwh`` to their estimated unmetered energy in the month [kWh] (suspects and metering
    faults: what they explain of the loss if found), ``expected_kwh`` to its expectation under the
    calibrated probability of a finding (default: ``explained_kwh``). The cause "customers on the theft-detection list" is listed wherever there are suspects, but
    suspects flag an area only when what they explain is material against its loss
    (:func:`suspects_material`): the flagged areas are those whose loss, or whose suspects' share of it,
    calls for action. The expected energy is priced at the area's average tariff
    (``suspects_expected_yuan``: the expected recovery). Returns the number of areas with suspects.
    """
    explained_kwh = explained_kwh or {}
    expected_kwh = explained_kwh if expected_kwh is None else expected_kwh
    on = month_end(month)
    tariffs = area_average_tariffs(on=on)
    rows = list(AreaMonthLoss.objects.filter(month=month))
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            accounts = list(suspects.get(row.area_id, []))
            kwh = round(float(explained_kwh.get(row.area_id, 0.0)), 1) if accounts else 0.0
            row.theft_suspects = len(accounts)
            row.suspects_explained_kwh = kwh
            price = tariffs.get(row.area_id)
            expected = round(float(expected_kwh.get(row.area_id, 0.0)), 1)
            row.suspects_expected_yuan = (
                (Decimal(str(expected)) * price).quantize(Decimal("0.01")) if accounts and price else None
            )
            row.suspects_material = bool(accounts) and suspects_material(
                explained_kwh=kwh, loss_kwh=row.loss_kwh, on=on
            )
            row.causes = [c for c in (row.causes or []) if c.get("code") != "theft_suspects"]
            if accounts:
                row.causes.append(
                    {"code": "theft_suspects", "count": len(accounts), "accounts": accounts[:3]}
                )
            row.flagged = any(getattr(row, f) for f in LOSS_FLAGS) or row.suspects_material
            row.causes_text = causes_render(row.causes)
    AreaMonthLoss.objects.bulk_update(
        rows,
        [
            "theft_suspects",
            "suspects_explained_kwh",
            "suspects_expected_yuan",
            "suspects_material",
            "causes",
            "flagged",
            "causes_text",
        ],
        batch_size=1000,
    )
    return sum(1 for r in rows if r.theft_suspects)


@transaction.atomic
def analysis_results_save(*, run: AnalysisRun, result: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Write the results of ``run_monthly`` for the run's month, replacing any earlier ones.

    The month's area and line results, its daily area losses and reading rates are replaced. Earlier
    months that the analysis also computed (its history) are written only where that month has no
    results yet, so the trend is complete after one run, but a month's own run is never overwritten.
    """
    month = run.month
    end = month_end(month)
    index = area_index()
    lines = {code: (pk, st) for code, pk, st in _line_index()}
    with translation.override(settings.LANGUAGE_CODE):
        AreaMonthLoss.objects.filter(month=month).delete()
        area_objs = [
            o
            for o in (
                _area_month_obj(r, run, index, month) for r in result["area_monthly"].itertuples(index=False)
            )
            if o
        ]
        AreaMonthLoss.objects.bulk_create(area_objs, batch_size=1000)
        history = result.get("area_monthly_history")
        filled = 0
        if history is not None and len(history):
            have = set(AreaMonthLoss.objects.values_list("month", flat=True).distinct())
            hist_objs = []
            for row in history.itertuples(index=False):
                m = month_parse(int(row.month))
                if m >= month or m in have or _f(row.supply_kwh) is None:
                    continue
                obj = _area_month_obj(row, run, index, m)
                if obj:
                    hist_objs.append(obj)
            AreaMonthLoss.objects.bulk_create(hist_objs, batch_size=1000)
            filled = len(hist_objs)

    LineMonthLoss.objects.filter(month=month).delete()
    line_objs = []
    for row in result["line_monthly"].itertuples(index=False):
        ids = lines.get(row.line_code)
        if ids is None:
            continue
        line_objs.append(
            LineMonthLoss(
                run=run,
                line_id=ids[0],
                station_id=ids[1],
                month=month,
                supply_kwh=_f(row.supply_kwh, 3) or 0.0,
                sales_kwh=_f(row.sales_kwh, 3) or 0.0,
                loss_kwh=_f(row.loss_kwh, 3) or 0.0,
                loss_rate_percent=_f(row.loss_rate_percent),
                days=int(row.days),
                reading_rate_percent=_f(row.reading_rate_percent),
            )
        )
    LineMonthLoss.objects.bulk_create(line_objs, batch_size=1000)

    AreaDayLoss.objects.filter(reading_date__range=(month, end)).delete()
    day_objs = []
    for row in result["area_daily"].itertuples(index=False):
        ids = index.get(row.area_code)
        if ids is None:
            continue
        imbalance = _f(row.imbalance_rate)
        day_objs.append(
            AreaDayLoss(
                area_id=ids[0],
                station_id=ids[2],
                reading_date=row.reading_date,
                supply_kwh=_f(row.supply_kwh, 3) or 0.0,
                sales_kwh=_f(row.sales_kwh, 3) or 0.0,
                loss_kwh=_f(row.loss_kwh, 3) or 0.0,
                loss_rate_percent=_f(row.loss_rate_percent),
                meters=int(row.meters),
                meters_read=int(row.meters_read),
                imbalance_rate_percent=None if imbalance is None else round(imbalance * 100, 3),
            )
        )
    AreaDayLoss.objects.bulk_create(day_objs, batch_size=2000)
    rates = reading_rates_replace(
        start=month, end=end, rates=result["reading_rate_area"], quality=result.get("quality_summary")
    )
    return {
        "areas": len(area_objs),
        "flagged": sum(o.flagged for o in area_objs),
        "lines": len(line_objs),
        "area_days": len(day_objs),
        "reading_rates": rates,
        "history_area_months": filled,
    }


def _line_index():
    from gridcheck.archive.models import Line

    return Line.objects.values_list("code", "pk", "station_id")


@transaction.atomic
def loss_target_set(
    *, max_loss_rate_percent, effective_from: dt.date, area=None, owner=None, note: str = ""
) -> LossTarget:
    """Set a loss-rate target [%] for an area or for all areas of an owner from ``effective_from`` on."""
    target = LossTarget(
        area=area,
        owner=owner,
        max_loss_rate_percent=max_loss_rate_percent,
        effective_from=effective_from,
        note=note,
    )
    target.full_clean()
    target.save()
    return target
