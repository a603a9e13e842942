"""The demo's suspect list and area flags against the simulator's truth (issue 21, items 5 and 6).

Prints figures, not a test. Reads the database and ``<VAR_DIR>/demo/meter_truth.parquet`` of a demo
(``GRIDCHECK_VAR_DIR`` chooses it) and prints, for the month (default: the newest with suspects):

* suspects, the simulated thieves stealing that month, how many of them are suspects (recall) and the
  share of suspects that are thieves (precision);
* per station: suspects, those scoring at least 0.7, and the inspection list (``within_capacity``, the
  rule ``detection.inspection_visits_per_month``): thieves on it and its precision, against the same
  number of suspects taken by score (the order before the calibration);
* areas flagged per month, and how many of the areas with a thief stealing that month are flagged.

Usage::

    GRIDCHECK_VAR_DIR=$PWD/var/demo-after .venv/bin/python benchmarks/demo_detection_figures.py [--month YYYY-MM]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import django

    from config.env import settings_module

    settings_module()
    django.setup()
    import pandas as pd
    from django.db.models import Count, Q

    from config.env import VAR_DIR
    from gridcheck.archive.models import Meter
    from gridcheck.core.periods import month_parse
    from gridcheck.detection.models import Suspect
    from gridcheck.detection.services import inspection_capacity, month_truth_labels
    from gridcheck.lineloss.models import AreaMonthLoss

    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=None)
    parser.add_argument(
        "--top",
        default="3,5,10",
        help="list lengths per station to compare the two orders at (comma-separated)",
    )
    args = parser.parse_args()
    month = month_parse(args.month) if args.month else Suspect.objects.order_by("-month").first().month
    truth = pd.read_parquet(Path(VAR_DIR) / "demo" / "meter_truth.parquet")
    thieves = month_truth_labels(truth, month)
    meter_area = dict(Meter.objects.values_list("asset_number", "metering_point__customer__area_id"))
    suspects = pd.DataFrame(
        Suspect.objects.filter(month=month).values(
            "meter_number",
            "station__code",
            "score",
            "probability",
            "expected_yuan",
            "within_capacity",
            "priority",
        )
    )
    suspects["thief"] = suspects["meter_number"].astype(str).isin(thieves)
    # the simulator's unmetered energy per 30 days of each thief's theft (what an inspection would recover)
    t = truth[truth["truth"] == "theft"].copy()
    days = (pd.to_datetime(t["end_date"]) - pd.to_datetime(t["start_date"])).dt.days + 1
    per_month = dict(zip(t["meter_id"].astype(str), t["unmetered_kwh"] / days * 30, strict=True))
    suspects["true_kwh"] = [
        per_month.get(m, 0.0) if thief else 0.0
        for m, thief in zip(suspects["meter_number"].astype(str), suspects["thief"], strict=True)
    ]
    found = int(suspects["thief"].sum())
    print(f"month {month:%Y-%m}: {len(suspects)} suspects, {len(thieves)} thieves stealing")
    print(
        f"  thieves on the suspect list: {found} of {len(thieves)}; precision {found / max(len(suspects), 1):.3f}"
    )
    capacity = inspection_capacity(month=month)
    rows = []
    for code, g in suspects.groupby("station__code"):
        n_list = int(g["within_capacity"].sum())
        by_score = g.sort_values("score", ascending=False).head(min(capacity, len(g)))
        rows.append(
            {
                "station": code,
                "suspects": len(g),
                "score>=0.7": int((g["score"] >= 0.7).sum()),
                "score>=0.99": int((g["score"] >= 0.99).sum()),
                "distinct probabilities": int(g["probability"].nunique()),
                "list": n_list,
                "thieves on list": int(g.loc[g["within_capacity"], "thief"].sum()),
                "thieves in top by score": int(by_score["thief"].sum()),
            }
        )
    table = pd.DataFrame(rows)
    print(f"  inspection capacity {capacity} visits per station and month")
    print(table.to_string(index=False))
    listed = suspects[suspects["within_capacity"]]
    if len(listed):
        print(
            f"  inspection lists: {len(listed)} suspects, {int(listed['thief'].sum())} thieves, "
            f"precision {listed['thief'].mean():.3f}"
        )
    if suspects["priority"].notna().any():
        for k in [int(v) for v in args.top.split(",") if v]:
            by_priority = suspects[suspects["priority"] <= k]
            by_score = suspects.sort_values("score", ascending=False).groupby("station__code").head(k)
            print(
                f"  top {k} per station: by expected yuan {int(by_priority['thief'].sum())} thieves of "
                f"{len(by_priority)} ({by_priority['true_kwh'].sum():,.0f} kWh/month stolen); by score "
                f"{int(by_score['thief'].sum())} of {len(by_score)} ({by_score['true_kwh'].sum():,.0f} kWh/month)"
            )
    print("areas flagged per month (theft areas: an area with a thief stealing that month):")
    for m, flagged, total in (
        AreaMonthLoss.objects.values_list("month")
        .annotate(f=Count("pk", filter=Q(flagged=True)), n=Count("pk"))
        .order_by("month")
    ):
        theft_areas = {meter_area.get(mid) for mid in month_truth_labels(truth, m)} - {None}
        flagged_ids = set(
            AreaMonthLoss.objects.filter(month=m, flagged=True).values_list("area_id", flat=True)
        )
        material = AreaMonthLoss.objects.filter(month=m, suspects_material=True).count()
        print(
            f"  {m:%Y-%m}: {flagged} of {total} areas flagged ({material} for material suspects); "
            f"theft areas flagged {len(theft_areas & flagged_ids)} of {len(theft_areas)}"
        )


if __name__ == "__main__":
    main()
