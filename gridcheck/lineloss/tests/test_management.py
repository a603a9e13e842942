"""Loss management: indicator decomposition, area targets, analyses and plans, theoretical loss, scoping
and bad input (services, pages and API)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from gridcheck.lineloss import loss_management as lm
from gridcheck.lineloss import selectors
from gridcheck.lineloss.models import (
    AreaMonthLoss,
    LineLossTarget,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    StationLossIndicator,
    TheoreticalLoss,
)
from gridcheck.lineloss.theory import TheoryInput, theoretical_loss

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 5)
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def _result(area, month, supply, sales, *, target=7.0, flagged=False, failing=0, **flags):
    return AreaMonthLoss.objects.create(
        area=area,
        line=area.line,
        station=area.station,
        month=month,
        supply_kwh=supply,
        sales_kwh=sales,
        loss_kwh=supply - sales,
        loss_rate_percent=round((supply - sales) * 100 / supply, 4),
        days=30,
        target_percent=target,
        flagged=flagged,
        failing_months=failing,
        failing_three_months=failing >= 3,
        above_target=failing > 0,
        **flags,
    )


@pytest.fixture
def history(county):
    """Twelve months before November 2026: east1 loses 8 % of 1000 kWh, east2 4 % of 3000 kWh."""
    for i in range(1, 13):
        month = dt.date(2026 if i <= 10 else 2025, (11 - i - 1) % 12 + 1, 1)
        _result(county.areas["east1"], month, 1000.0, 920.0, failing=4 - i if i <= 3 else 0, flagged=i <= 3)
        _result(county.areas["east2"], month, 3000.0, 2880.0)
    return county


# ------------------------------------------------------------------------------------------- theory


def test_theory_formula_by_hand():
    p = TheoryInput(
        supply_kwh=72000, hours=720, capacity_kva=200, resistance_ohm=0.05, meters=100,
        power_factor=0.8, shape_factor=1.1, voltage_kv=0.4, meter_loss_w=1.0,
    )  # fmt: skip
    r = theoretical_loss(p)
    # P = 100 kW, S = 125 kVA, β = 0.625, I = 125 / (√3·0.4) = 180.42 A
    # ΔA_line = 3·(1.1·180.42)²·0.05·720/1000 = 4253.9 kWh; ΔA_meter = 72 kWh; rate = 6.008 %
    assert r.load_factor == 0.625
    assert r.line_kwh == pytest.approx(4253.9, abs=0.5)
    assert r.meter_kwh == 72.0
    assert r.loss_rate_percent == Decimal("6.008")


def test_theory_refuses_zero_supply():
    with pytest.raises(ValueError):
        theoretical_loss(
            TheoryInput(
                supply_kwh=0,
                hours=720,
                capacity_kva=200,
                resistance_ohm=0.05,
                meters=1,
                power_factor=0.8,
                shape_factor=1.1,
                voltage_kv=0.4,
                meter_loss_w=1.0,
            )  # fmt: skip
        )


# ---------------------------------------------------------------------------- indicator decomposition


def test_indicator_decomposed_by_history(history):
    county = history
    head = county.users["head_east"]
    indicator = lm.station_indicator_set(
        station=county.stations["east"], month="2026-11", max_loss_rate_percent="6", actor=head, today=TODAY
    )
    # station rate over the history: (80 + 120) / 4000 = 5 %; east1 8/5 → 9.60, east2 4/5 → 4.80
    t1 = LossTarget.objects.get(area=county.areas["east1"], effective_from=NOV)
    t2 = LossTarget.objects.get(area=county.areas["east2"], effective_from=NOV)
    assert (t1.max_loss_rate_percent, t2.max_loss_rate_percent) == (Decimal("9.60"), Decimal("4.80"))
    assert t1.source == "decomposed" and t1.indicator == indicator
    # the supply-weighted mean of the area targets is the indicator
    assert (t1.max_loss_rate_percent * 1000 + t2.max_loss_rate_percent * 3000) / 4000 == Decimal("6")
    line = LineLossTarget.objects.get(line=county.lines["east"], month=NOV)
    assert line.max_loss_rate_percent == Decimal("6.00")
    # the analysis' target resolution sees the decomposed targets
    assert selectors.loss_targets(month=NOV)["S01-A1"] == 9.6
    # west is untouched
    assert not LossTarget.objects.filter(area__station=county.stations["west"]).exists()


def test_indicator_ratio_clipped_and_no_history(county):
    head = county.users["head_east"]
    _result(county.areas["east1"], OCT, 1000.0, 700.0)  # 30 %
    _result(county.areas["east2"], OCT, 9000.0, 8910.0)  # 1 %
    lm.station_indicator_set(
        station=county.stations["east"], month=NOV, max_loss_rate_percent=5, actor=head, today=TODAY
    )
    # station 3.9 %: east1 ratio 7.7 → clipped to 2.0; east2 ratio 0.26 → clipped to 0.5
    assert LossTarget.objects.get(
        area=county.areas["east1"], effective_from=NOV
    ).max_loss_rate_percent == Decimal("10.00")
    assert LossTarget.objects.get(
        area=county.areas["east2"], effective_from=NOV
    ).max_loss_rate_percent == Decimal("2.50")
    # a station without history: every area gets the indicator
    lm.station_indicator_set(
        station=county.stations["west"],
        month=NOV,
        max_loss_rate_percent=5,
        actor=county.users["admin"],
        today=TODAY,
    )
    assert LossTarget.objects.get(
        area=county.areas["west1"], effective_from=NOV
    ).max_loss_rate_percent == Decimal("5.00")


def test_indicator_change_keeps_history_and_area_edit(history):
    county = history
    head = county.users["head_east"]
    station = county.stations["east"]
    lm.station_indicator_set(station=station, month=NOV, max_loss_rate_percent=6, actor=head, today=TODAY)
    lm.station_indicator_set(station=station, month=NOV, max_loss_rate_percent=5, actor=head, today=TODAY)
    indicator = StationLossIndicator.objects.get(station=station, month=NOV)
    assert indicator.history.count() == 2
    assert [h.max_loss_rate_percent for h in indicator.history.order_by("history_date")] == [
        Decimal("6.00"),
        Decimal("5.00"),
    ]
    target = lm.area_target_set(
        area=county.areas["east2"], month=NOV, max_loss_rate_percent="4.5", actor=head, today=TODAY
    )
    assert target.source == "entered" and target.history.count() == 3
    assert LossTarget.objects.filter(area=county.areas["east2"], effective_from=NOV).count() == 1
    # the line follows: (8.00·1000 + 4.50·3000) / 4000 = 5.375 → 5.38
    assert LineLossTarget.objects.get(line=county.lines["east"], month=NOV).max_loss_rate_percent == Decimal(
        "5.38"
    )


def test_closed_month_refused_with_field_message(county):
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as error:
        lm.station_indicator_set(
            station=county.stations["east"], month=OCT, max_loss_rate_percent=5, actor=head, today=TODAY
        )
    assert "month" in error.value.message_dict
    assert "2026-10" in error.value.message_dict["month"][0]
    with pytest.raises(ValidationError):
        lm.area_target_set(
            area=county.areas["east1"], month="2026-10", max_loss_rate_percent=5, actor=head, today=TODAY
        )
    assert not StationLossIndicator.objects.exists() and not LossTarget.objects.exists()


def test_bad_percent_and_month_refused(county):
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as error:
        lm.station_indicator_set(
            station=county.stations["east"], month=NOV, max_loss_rate_percent=120, actor=head, today=TODAY
        )
    assert "max_loss_rate_percent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lm.station_indicator_set(
            station=county.stations["east"], month="11/2026", max_loss_rate_percent=5, actor=head, today=TODAY
        )
    assert "month" in error.value.message_dict


def test_targets_need_capability_and_scope(county):
    with pytest.raises(PermissionDenied):  # inspectors do not set targets
        lm.station_indicator_set(
            station=county.stations["east"],
            month=NOV,
            max_loss_rate_percent=5,
            actor=county.users["inspector_east"],
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):  # an east head cannot reach the west station
        lm.area_target_set(
            area=county.areas["west1"],
            month=NOV,
            max_loss_rate_percent=5,
            actor=county.users["head_east"],
            today=TODAY,
        )


def test_year_indicator_sets_open_months_only(county):
    rows = lm.station_indicator_set_year(
        station=county.stations["east"],
        year=2026,
        max_loss_rate_percent=6,
        actor=county.users["head_east"],
        today=TODAY,
    )
    assert [r.month for r in rows] == [NOV, dt.date(2026, 12, 1)]


# ---------------------------------------------------------------------------------- analyses, plans


def test_analysis_and_plan_life(history):
    county = history
    area = county.areas["east1"]
    manager = county.users["manager_east"]
    analysis = lm.analysis_record(
        area=area,
        month=OCT,
        cause="theft_suspects",
        cause_detail="绕越计量",
        measures="现场检查",
        actor=manager,
        today=TODAY,
    )
    assert analysis.analysed_by == manager and analysis.analysed_on == TODAY
    assert "failing_three_months" in analysis.flags
    assert lm.plan_needed(analysis)
    plan = lm.plan_open(
        analysis=analysis, measures="更换表计，加装封印", responsible=manager, actor=manager, today=TODAY
    )
    assert plan.deadline == TODAY + dt.timedelta(days=30)
    assert list(plan.events.values_list("from_status", "to_status")) == [("", "open")]
    assert selectors.plans_overdue(user=county.users["head_east"], today=dt.date(2026, 12, 6)).count() == 1
    with pytest.raises(ValidationError):
        lm.plan_open(analysis=analysis, measures="x", responsible=manager, actor=manager, today=TODAY)
    lm.plan_close(
        plan=plan, result="线损率降至5%", actor=county.users["head_east"], today=dt.date(2026, 12, 1)
    )
    plan.refresh_from_db()
    assert plan.status == "closed" and plan.closed_on == dt.date(2026, 12, 1)
    assert list(plan.events.values_list("from_status", "to_status")) == [("", "open"), ("open", "closed")]
    with pytest.raises(ValidationError):
        lm.plan_close(plan=plan, result="again", actor=manager, today=TODAY)


def test_analysis_refused_for_unflagged_area_and_missing_fields(history):
    county = history
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as error:
        lm.analysis_record(
            area=county.areas["east2"],
            month=OCT,
            cause="other",
            cause_detail="x",
            measures="y",
            actor=head,
            today=TODAY,
        )
    assert "month" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lm.analysis_record(
            area=county.areas["east1"],
            month=OCT,
            cause="other",
            cause_detail="x",
            measures=" ",
            actor=head,
            today=TODAY,
        )
    assert "measures" in error.value.message_dict


def test_plan_refused_before_three_months(county):
    area = county.areas["east1"]
    _result(area, OCT, 1000.0, 900.0, flagged=True, failing=1)
    analysis = lm.analysis_record(
        area=area,
        month=OCT,
        cause="other",
        cause_detail="x",
        measures="y",
        actor=county.users["head_east"],
        today=TODAY,
    )
    with pytest.raises(ValidationError):
        lm.plan_open(
            analysis=analysis,
            measures="z",
            responsible=county.users["head_east"],
            actor=county.users["head_east"],
            today=TODAY,
        )


def test_area_manager_scoped_to_own_areas(county):
    _result(county.areas["east2"], OCT, 1000.0, 900.0, flagged=True, failing=1)
    with pytest.raises(PermissionDenied):
        lm.analysis_record(
            area=county.areas["east2"], month=OCT, cause="other", cause_detail="x", measures="y",
            actor=county.users["manager_east"], today=TODAY,
        )  # fmt: skip


def test_analyses_missing_and_todo(history):
    county = history
    from gridcheck.lineloss.todos import TODOS

    head = county.users["head_east"]
    assert selectors.analyses_missing(user=head).count() == 1  # east1, October
    assert TODOS["lineloss.analyses"].number(head) == 1
    lm.analysis_record(
        area=county.areas["east1"],
        month=OCT,
        cause="other",
        cause_detail="x",
        measures="y",
        actor=head,
        today=TODAY,
    )
    assert TODOS["lineloss.analyses"].number(head) == 0
    assert TODOS["lineloss.analyses"].number(county.users["inspector_west"]) == 0


# ---------------------------------------------------------------------------------- theoretical loss


def test_theoretical_loss_computed_from_history_and_due(history):
    county = history
    head = county.users["head_east"]
    area = county.areas["east1"]
    due = {d["area"].code: d["reason"] for d in selectors.theoretical_due(user=head, today=TODAY)}
    assert set(due) == {"S01-A1", "S01-A2"}
    assert selectors.theoretical_due_count(user=head, today=TODAY) == 2  # the to-do line's count
    obj = lm.theoretical_loss_compute(
        area=area, resistance_ohm="0.2", actor=head, calculated_on=TODAY, today=TODAY
    )
    # 12 months · 1000 kWh over 12 · 30 days: P = 1.389 kW; 2 meters
    assert obj.method == "computed" and obj.parameters["meters"] == 2
    assert obj.parameters["supply_kwh"] == 12000.0 and obj.parameters["hours"] == 8640.0
    assert Decimal(0) < obj.loss_rate_percent < Decimal(100)
    lm.theoretical_loss_enter(
        area=county.areas["east2"],
        loss_rate_percent="3.2",
        actor=head,
        calculated_on=dt.date(2023, 6, 1),
        today=TODAY,
    )
    due = {d["area"].code: d["reason"] for d in selectors.theoretical_due(user=head, today=TODAY)}
    assert set(due) == {"S01-A2"}  # older than 3 years
    assert selectors.theoretical_due_count(user=head, today=TODAY) == 1
    area.capacity_kva = Decimal("630")
    area.save()
    due = {d["area"].code for d in selectors.theoretical_due(user=head, today=TODAY)}
    assert due == {"S01-A1", "S01-A2"}  # grid change
    assert selectors.theoretical_due_count(user=head, today=TODAY) == 2
    assert selectors.theoretical_due_count(user=county.users["admin"], today=TODAY) == len(
        selectors.theoretical_due(user=county.users["admin"], today=TODAY)
    )


def test_theoretical_loss_refusals(county):
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as error:
        lm.theoretical_loss_compute(area=county.areas["east1"], resistance_ohm=0.1, actor=head, today=TODAY)
    assert "supply_kwh" in error.value.message_dict  # no history and no supply given
    with pytest.raises(ValidationError):
        lm.theoretical_loss_enter(
            area=county.areas["east1"],
            loss_rate_percent=3,
            actor=head,
            calculated_on=dt.date(2027, 1, 1),
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        lm.theoretical_loss_enter(
            area=county.areas["east1"], loss_rate_percent=3, actor=county.users["manager_east"], today=TODAY
        )
    assert not TheoreticalLoss.objects.exists()


# ------------------------------------------------------------------------------------------- pages


def _this_month():
    return timezone.localdate().replace(day=1)


def test_target_page_set_indicator_and_edit_area(login, county):
    client = login("head_east")
    month = f"{_this_month():%Y-%m}"
    response = client.post(
        reverse("lineloss:indicator_set"),
        {"station": county.stations["east"].pk, "month": month, "max_loss_rate_percent": "6.5", "note": ""},
    )
    assert response.status_code == 302
    assert StationLossIndicator.objects.get(station=county.stations["east"]).max_loss_rate_percent == Decimal(
        "6.50"
    )
    html = client.get(reverse("lineloss:target_manage"), {"month": month}).content.decode()
    assert 'data-testid="indicator-form"' in html and "6.50" in html
    client.post(
        reverse("lineloss:area_target_set", args=[county.areas["east1"].pk]),
        {"month": month, "max_loss_rate_percent": "9"},
    )
    assert (
        LossTarget.objects.get(area=county.areas["east1"], effective_from=_this_month()).max_loss_rate_percent
        == 9
    )


def test_target_page_refuses_closed_month_in_chinese(login, county):
    client = login("head_east")
    closed = selectors.month_add(_this_month(), -1)
    response = client.post(
        reverse("lineloss:indicator_set"),
        {"station": county.stations["east"].pk, "month": f"{closed:%Y-%m}", "max_loss_rate_percent": "6"},
        follow=True,
    )
    html = response.content.decode()
    with translation.override("zh-hans"):
        expected = gettext(
            "%(field)s: %(month)s is closed; a target can only be set for this month or later."
        ) % {
            "field": gettext("Month"),
            "month": f"{closed:%Y-%m}",
        }
    assert expected in html
    assert not StationLossIndicator.objects.exists()


def test_target_writes_forbidden_without_capability(login, county):
    client = login("inspector_east")
    month = f"{_this_month():%Y-%m}"
    assert client.get(reverse("lineloss:target_manage")).status_code == 200
    response = client.post(
        reverse("lineloss:indicator_set"),
        {"station": county.stations["east"].pk, "month": month, "max_loss_rate_percent": "6"},
    )
    assert response.status_code == 403
    response = login("head_east").post(
        reverse("lineloss:area_target_set", args=[county.areas["west1"].pk]),
        {"month": month, "max_loss_rate_percent": "6"},
    )
    assert response.status_code == 404


def test_analysis_pages(login, history):
    county = history
    client = login("manager_east")
    html = client.get(reverse("lineloss:analysis_list"), {"month": "2026-10"}).content.decode()
    assert 'data-testid="record-S01-A1"' in html
    url = reverse("lineloss:analysis_record", args=[county.areas["east1"].pk]) + "?month=2026-10"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "cause": "imbalance",
            "cause_detail": "三相负荷不平衡",
            "measures": "调整相序",
            "analysed_on": f"{timezone.localdate():%Y-%m-%d}",
        },
    )
    analysis = LossAnalysis.objects.get(area=county.areas["east1"], month=OCT)
    assert response.status_code == 302 and response["Location"] == analysis.get_absolute_url()
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert 'data-testid="plan-form"' in html
    response = client.post(
        reverse("lineloss:plan_open", args=[analysis.pk]),
        {"measures": "调整负荷", "responsible": county.users["manager_east"].pk},
    )
    plan = RectificationPlan.objects.get(analysis=analysis)
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert 'data-testid="plan-status"' in html
    client.post(reverse("lineloss:plan_close", args=[plan.pk]), {"result": "已完成"})
    plan.refresh_from_db()
    assert plan.status == "closed"
    # the area manager cannot reach an area that is not theirs
    assert client.get(reverse("lineloss:analysis_record", args=[county.areas["east2"].pk])).status_code == 404
    # plan list and export
    head = login("head_east")
    assert county.areas["east1"].name in head.get(reverse("lineloss:plan_list")).content.decode()
    assert head.get(reverse("lineloss:plan_list"), {"export": "xlsx"})["Content-Type"].startswith(
        "application/vnd"
    )


def test_theory_and_fourway_pages(login, history):
    county = history
    client = login("head_east")
    html = client.get(reverse("lineloss:theory_list")).content.decode()
    assert 'data-testid="theory-due"' in html and county.areas["east1"].name in html
    response = client.post(
        reverse("lineloss:theory_record", args=[county.areas["east1"].pk]),
        {
            "method": "entered",
            "calculated_on": f"{timezone.localdate():%Y-%m-%d}",
            "loss_rate_percent": "3.5",
        },
    )
    assert response.status_code == 302
    assert TheoreticalLoss.objects.get(area=county.areas["east1"]).loss_rate_percent == Decimal("3.500")
    html = client.get(reverse("lineloss:fourway"), {"month": "2026-10"}).content.decode()
    for testid in ("fourway-stations", "fourway-voltages", "fourway-lines", "fourway-areas"):
        assert f'data-testid="{testid}"' in html
    assert "0.4 kV" in html and "<script>" not in html.split("gc-chart-data")[0][-200:]
    assert county.areas["west1"].name not in html
    export = client.get(reverse("lineloss:areamonthloss_list"), {"month": "2026-10-01", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd")


# --------------------------------------------------------------------------------------------- API


def test_api_targets_and_analyses(login, history):
    county = history
    client = login("head_east")
    month = f"{_this_month():%Y-%m}"
    response = client.post(
        "/api/lineloss/indicators/",
        {"station": county.stations["east"].pk, "month": month, "max_loss_rate_percent": "6"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    closed = f"{selectors.month_add(_this_month(), -1):%Y-%m}"
    response = client.post(
        "/api/lineloss/targets/",
        {"area": county.areas["east1"].pk, "month": closed, "max_loss_rate_percent": "6"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "month" in response.json()
    response = client.post(
        "/api/lineloss/analyses/",
        {
            "area": county.areas["east1"].pk,
            "month": "2026-10",
            "cause": "other",
            "cause_detail": "x",
            "measures": "y",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/lineloss/theoretical/",
        {"area": county.areas["east1"].pk, "resistance_ohm": "0.1"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["method"] == "computed"
    west = login("inspector_west")
    assert west.get("/api/lineloss/analyses/").json()["count"] == 0
    response = west.post(
        "/api/lineloss/indicators/",
        {"station": county.stations["west"].pk, "month": month, "max_loss_rate_percent": "6"},
        content_type="application/json",
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------------------------- demo


def test_demo_loss_management_idempotent(history):
    from gridcheck.lineloss.demo import demo_loss_management

    county = history
    counts = demo_loss_management(on=TODAY, seed=3)
    # stations with a head: east only; months Oct, Sep (analysed) and Nov
    assert counts["indicators"] == 3
    assert counts["analyses"] == 1 and counts["plans"] == 1  # east1 failed three months in October
    assert counts["theoretical"] >= 2
    assert RectificationPlan.objects.get().area == county.areas["east1"]
    again = demo_loss_management(on=TODAY, seed=3)
    assert again["indicators"] == 0 and again["analyses"] == 0 and again["kept"] == 3


def test_the_theory_page_reads_each_value_with_its_area_in_one_query(county, client):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head = county.users["head_east"]
    client.force_login(head)

    def queries() -> int:
        for alias in caches:
            caches[alias].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("lineloss:theory_list")).status_code == 200
        return len(captured)

    lm.theoretical_loss_enter(area=county.areas["east1"], loss_rate_percent="3.1", actor=head, today=TODAY)
    one = queries()
    lm.theoretical_loss_enter(area=county.areas["east2"], loss_rate_percent="3.2", actor=head, today=TODAY)
    assert queries() == one


def test_trend_tells_areas_flagged_by_suspects_only_from_those_flagged_by_their_loss(history):
    """The dashboard's trend stacks the flagged areas: by their loss, and by material theft suspects alone
    (a month scored by detection has these; the months before it do not)."""
    east1, east2 = history.areas["east1"], history.areas["east2"]
    _result(east1, NOV, 1000.0, 920.0, flagged=True, failing=1)  # its loss above target
    _result(east2, NOV, 3000.0, 2880.0, flagged=True, suspects_material=True)  # suspects alone
    trend = selectors.loss_trend(user=history.users["head_east"], months=3)
    assert [r["month"] for r in trend] == ["2026-09", "2026-10", "2026-11"]
    assert [(r["flagged"], r["flagged_by_suspects"]) for r in trend] == [(1, 0), (1, 0), (2, 1)]
    # an area flagged by its loss that also has material suspects counts as flagged by its loss
    AreaMonthLoss.objects.filter(area=east1, month=NOV).update(suspects_material=True)
    assert selectors.loss_trend(user=history.users["head_east"], months=1)[0]["flagged_by_suspects"] == 1
