"""Detection fixtures: a hand-made scored frame, and four months of hand-made meter data.

``scored`` replaces ``score_month`` with a function returning a frame written here (the service, pages
and hooks are tested against it); ``theft_data`` writes meter data in which one customer's consumption
falls by 80 % in October while its area's supply does not (the real ``score_month`` should name it).
"""

import datetime as dt

import pandas as pd
import pytest

from gridcheck.lineloss.tests.conftest import data_dir, meter_data  # noqa: F401 - fixtures reused
from gridcheck_analytics.schema import AREA_METER_READINGS, DAILY_READINGS, EVENTS, conform
from gridcheck_analytics.store import MeterStore

MONTH = dt.date(2026, 10, 1)


def reason(code, text, method="bypass", method_zh="无表法(绕越计量)", **evidence):
    return {
        "code": code,
        "text": text,
        "method": method,
        "method_zh": method_zh,
        "evidence": evidence,
        "source": "rule",
        "weight": 0.8,
    }


def scored_frame(county, *, scores=None) -> pd.DataFrame:
    """One row per customer meter of the small county, as ``score_month`` returns it.

    east11 (0.91, two reasons) and east12 (0.55) in S01-A1, west11 (0.62) in S02-A1 have reasons;
    every other customer has none (not a suspect); one row names an account not in the archive.
    """
    scores = scores or {"east11": 0.91, "east12": 0.55, "west11": 0.62}
    # what each month lacks against the customer's own baselines [kWh] (score_month's estimate)
    lacks = {"east11": 400.0, "east12": 5.0, "west11": 60.0}
    texts = {
        "east11": [
            reason(
                "drop_with_area_loss",
                "本月日均电量1.0 kWh，仅为前3个月日均5.0 kWh的20%，同期台区线损率上升2.5个百分点，疑似绕越计量窃电",
                mean_kwh=1.0,
                hist_mean_kwh=5.0,
                ratio_to_own=0.2,
                area_loss_change_pp=2.5,
            ),
            reason(
                "drop_after_event",
                "2026-10-03电能表报“开表盖”事件后，本月日均电量1.0 kWh，仅为事件前30天日均5.0 kWh的20%",
                last_event_code="cover_opened",
                last_event_date="2026-10-03",
                post_event_ratio=0.2,
            ),
        ],
        "east12": [
            reason(
                "ct_underload",
                "负荷电流仅为互感器额定一次电流的12%，低于30%，疑似欠流法窃电",
                method="under_current",
                method_zh="欠流法",
                ct_load_percent=12.0,
            )
        ],
        "west11": [reason("peer_drop", "本月电量较同类用户下降60%，疑似窃电", ratio_to_own=0.4)],
    }
    rows = []
    for key, customer in county.customers.items():
        rows.append(
            {
                "account_number": customer.account_number,
                "meter_id": f"M{customer.account_number}",
                "area_code": customer.area.code,
                "station_code": customer.station.code,
                "score": scores.get(key, 0.05),
                "rank_in_area": 0,
                "rank_in_station": 0,
                "reasons": texts.get(key, [reason("peer_drop", "本月电量明显低于同类用户，疑似窃电")])
                if key in scores
                else [],
                "estimated_loss_kwh": lacks.get(key, 0.0),
            }
        )
    rows.append(
        {
            "account_number": "99999999999",
            "meter_id": "M-GHOST",
            "area_code": "S01-A1",
            "station_code": "S01",
            "score": 0.99,
            "rank_in_area": 1,
            "rank_in_station": 1,
            "reasons": [reason("x", "不在档案中的户号")],
            "estimated_loss_kwh": 0.0,
        }
    )
    return pd.DataFrame(rows).sort_values("score", ascending=False, ignore_index=True)


class FakeScorer:
    """Stands in for ``score_month``: records its calls, reports progress, returns ``frame``."""

    def __init__(self, frame):
        self.frame = frame
        self.calls = []

    def __call__(
        self,
        store,
        archive_frames,
        month,
        *,
        backend="duckdb",
        model=None,
        con=None,
        explain_min_score=None,
        progress=None,
    ):
        self.calls.append(
            {
                "month": month,
                "meters": len(archive_frames["meters"]),
                "model": model,
                "explain_min_score": explain_min_score,
            }
        )
        if isinstance(self.frame, Exception):
            raise self.frame
        for i, step in enumerate(("features", "rules", "model", "combine"), start=1):
            if progress:
                progress(step, i, 4)
        return self.frame.copy()


@pytest.fixture
def scored(county, data_dir, monkeypatch):  # noqa: F811
    """``score_month`` replaced by a ``FakeScorer`` of ``scored_frame(county)``."""
    fake = FakeScorer(scored_frame(county))
    monkeypatch.setattr("gridcheck_analytics.suspects.score_month", fake)
    return fake


# -- four months of meter data with one theft ----------------------------------------------------------

THEFT_DAYS = pd.date_range("2026-06-30", "2026-10-31", freq="D").date
#: Daily register increment per customer meter [kWh of register] (commercial meters have CT x40).
STEP = {1: 5.0, 2: 1.0}


def area_meter_rows(days) -> list[dict]:
    """The summary meters of the test county's four areas over ``days``: 48 kWh a day each (register x10),
    whatever the customers' meters record (stolen energy still flows through the area)."""
    rows = []
    for code in ("S01-A1", "S01-A2", "S02-A1", "S02-A2"):
        register = 500.0
        for day in days:
            register += 4.8
            rows.append(
                {
                    "area_code": code,
                    "meter_id": f"AM-{code}",
                    "reading_date": day,
                    "register_total_kwh": register,
                    "multiplier": 10.0,
                    "current_a_a": 100.0,
                    "current_b_a": 98.0,
                    "current_c_a": 95.0,
                }
            )
    return rows


def theft_frames(county) -> dict[str, pd.DataFrame]:
    daily, area = [], []
    for key, customer in county.customers.items():
        m = int(key[-1])
        register = 1000.0
        for day in THEFT_DAYS:
            step = STEP[m]
            if key == "east11" and day >= dt.date(2026, 10, 3):
                step *= 0.2  # bypassed after the cover was opened on 3 Oct
            register += step
            daily.append(
                {
                    "meter_id": f"M{customer.account_number}",
                    "reading_date": day,
                    "register_total_kwh": register,
                }
            )
    area.extend(area_meter_rows(THEFT_DAYS))
    events = [
        {
            "meter_id": f"M{county.customers['east11'].account_number}",
            "timestamp": pd.Timestamp("2026-10-03 02:14", tz="Asia/Shanghai"),
            "event_code": "cover_opened",
        }
    ]
    return {
        "daily": conform(pd.DataFrame(daily), DAILY_READINGS),
        "area_meter": conform(pd.DataFrame(area), AREA_METER_READINGS),
        "events": conform(pd.DataFrame(events), EVENTS),
    }


@pytest.fixture
def theft_data(county, data_dir):  # noqa: F811
    store = MeterStore(data_dir)
    for name, frame in theft_frames(county).items():
        store.upsert(name, frame)
    return store
