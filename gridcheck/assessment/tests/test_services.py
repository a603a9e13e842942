"""KPIs against hand-computed figures (see conftest), bad input, scoping, the approval rule and the
inspector's disqualification."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.assessment import selectors, services
from gridcheck.assessment.figures import FIGURES
from gridcheck.assessment.models import Scorecard
from gridcheck.assessment.tests.conftest import MONTH

D = Decimal


def lines(card) -> dict:
    return {line.kpi.code: line for line in card.lines.select_related("kpi")}


def card_of(user):
    return Scorecard.objects.get(month=MONTH, person=user)


@pytest.mark.django_db
def test_figures_match_hand_computed_values(october):
    u, east = october.users, october.stations["east"].pk
    assert FIGURES["reader_actual_reading_rate"].compute(MONTH, None) == {u["reader_east"].pk: D("66.6667")}
    assert FIGURES["reader_estimated_readings"].compute(MONTH, None) == {u["reader_east"].pk: 1}
    assert FIGURES["reader_incomplete_cards"].compute(MONTH, None) == {u["reader_east"].pk: 1}
    assert FIGURES["area_actual_reading_rate"].compute(MONTH, None) == {u["manager_east"].pk: D("50.0000")}
    assert FIGURES["key_customer_thefts"].compute(MONTH, None) == {u["manager_east"].pk: 1}
    assert FIGURES["orders_on_time_rate"].compute(MONTH, None) == {
        u["inspector_east"].pk: D("50.0000"),
        u["inspector2_east"].pk: D("100.0000"),
    }
    assert FIGURES["evidence_complete_rate"].compute(MONTH, None) == {
        u["inspector_east"].pk: D("50.0000"),
        u["inspector2_east"].pk: D("50.0000"),
    }
    assert FIGURES["hazards_closed_rate"].compute(MONTH, None) == {east: D("50.0000")}
    # limited to the west station, nothing of the east is counted
    assert FIGURES["hazards_closed_rate"].compute(MONTH, [october.stations["west"].pk]) == {}
    # another month has none of it
    assert FIGURES["reader_actual_reading_rate"].compute(datetime.date(2026, 9, 1), None) == {}


@pytest.mark.django_db
def test_scorecards_match_hand_computed_points(october):
    u = october.users
    result = services.scorecards_compute(month="2026-10", by=u["admin"])
    # 4 scored people at the east station + 1 west inspector + 2 stations
    assert result["cards"] == 7

    reader = card_of(u["reader_east"])
    got = lines(reader)
    assert got["rd_actual_reading"].value == D("66.6667") and got["rd_actual_reading"].met is False
    assert got["rd_actual_reading"].points == D("-10.00")  # 全奖全罚: missed -> full penalty
    assert got["rd_estimated"].points == D("-0.50")
    assert got["rd_incomplete"].points == D("-1.00") and got["rd_incomplete"].fine_yuan == D("5.00")
    assert reader.total_points == D("88.50") and reader.fine_yuan == D("5.00")

    manager = card_of(u["manager_east"])
    got = lines(manager)
    assert got["am_actual_reading"].points == D("-2.50")  # 5 points x (100 - 50) / 100
    assert got["am_key_theft"].value == 1 and got["am_key_theft"].points == D("-5.00")
    assert got["am_census"].value == 0 and got["am_census"].met is True
    assert got["am_recovery"].value is None and got["am_recovery"].points == 0  # no bills: no data
    assert manager.total_points == D("92.50")

    first, second = card_of(u["inspector_east"]), card_of(u["inspector2_east"])
    assert lines(first)["in_on_time"].points == D("-5.00")
    assert lines(first)["in_evidence"].points == D("-5.00")
    assert first.total_points == D("90.00")
    assert lines(second)["in_on_time"].met is True and lines(second)["in_on_time"].points == 0
    assert second.total_points == D("95.00")
    assert (second.rank, first.rank) == (1, 2)

    station = Scorecard.objects.get(month=MONTH, person=None, station=october.stations["east"])
    assert lines(station)["st_hazards_closed"].points == D("-5.00")
    assert station.total_points == D("95.00")


@pytest.mark.django_db
def test_kpi_version_and_station_target(october):
    from gridcheck.assessment.models import KpiTarget

    u = october.users
    services.kpi_define(
        by=u["head_east"],
        code="rd_incomplete",
        reason="细则修订：每户扣 2 分",
        effective_from=datetime.date(2026, 10, 1),
        weight=D("2"),
    )
    KpiTarget.objects.create(
        code="rd_actual_reading",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        station=october.stations["east"],
        target=D("60"),
    )
    services.scorecards_compute(month=MONTH)
    got = lines(card_of(u["reader_east"]))
    assert got["rd_incomplete"].kpi.version == 2 and got["rd_incomplete"].points == D("-2.00")
    assert got["rd_actual_reading"].target == D("60") and got["rd_actual_reading"].points == D("10.00")


@pytest.mark.django_db
def test_unknown_figure_refused_at_save(october):
    with pytest.raises(ValidationError) as excinfo:
        services.kpi_define(
            by=october.users["head_east"],
            code="x",
            reason="试",
            effective_from=MONTH,
            name="x",
            subject="meter_reader",
            formula="reader_actual_reading_rate + unknown_figure",
            unit="percent",
            direction="higher",
            target=D("1"),
            weight=D("1"),
            scoring="proportional",
        )
    assert "unknown_figure" in str(excinfo.value)
    with pytest.raises(ValidationError):
        services.kpi_define(
            by=october.users["head_east"],
            code="x",
            reason="试",
            effective_from=MONTH,
            name="x",
            subject="meter_reader",
            formula="__import__('os')",
            unit="percent",
            direction="higher",
            target=D("1"),
            weight=D("1"),
            scoring="proportional",
        )
    with pytest.raises(ValidationError):  # a figure of another subject
        services.kpi_define(
            by=october.users["head_east"],
            code="x",
            reason="试",
            effective_from=MONTH,
            name="x",
            subject="meter_reader",
            formula="hazards_closed_rate",
            unit="percent",
            direction="higher",
            target=D("1"),
            weight=D("1"),
            scoring="proportional",
        )
    with pytest.raises(PermissionDenied):
        services.kpi_define(
            by=october.users["reader_east"], code="rd_estimated", reason="x", effective_from=MONTH
        )


@pytest.mark.django_db
def test_adjustment_approval_rule(october):
    u = october.users
    services.scorecards_compute(month=MONTH)
    card = card_of(u["inspector_east"])
    with pytest.raises(ValidationError) as excinfo:  # one's own scorecard
        services.adjustment_propose(
            scorecard=card, by=u["inspector_east"], kind="bonus", points=5, reason="自评"
        )
    assert excinfo.value.code == "own"
    with pytest.raises(ValidationError):  # no reason
        services.adjustment_propose(scorecard=card, by=u["admin"], kind="deduction", points=3, reason=" ")
    with pytest.raises(ValidationError):  # above the rule's maximum
        services.adjustment_propose(scorecard=card, by=u["admin"], kind="deduction", points=21, reason="x")
    adj = services.adjustment_propose(
        scorecard=card, by=u["head_east"], kind="deduction", points=3, reason="迟到"
    )
    with pytest.raises(ValidationError) as excinfo:  # the proposer never decides
        services.adjustment_decide(adjustment=adj, by=u["head_east"], approve=True)
    assert excinfo.value.code == "proposer"
    with pytest.raises(ValidationError) as excinfo:  # nor the person scored
        services.adjustment_decide(adjustment=adj, by=u["inspector_east"], approve=True)
    assert excinfo.value.code == "own"
    with pytest.raises(PermissionDenied):  # nor someone without approve_station
        services.adjustment_decide(adjustment=adj, by=u["auditor_east"], approve=True)
    with pytest.raises(ValidationError):  # signing off waits for the decision
        services.scorecard_sign(scorecard=card, by=u["admin"])
    services.adjustment_decide(adjustment=adj, by=u["admin"], approve=True)
    card.refresh_from_db()
    assert card.adjustment_points == D("-3.00") and card.total_points == D("87.00")
    # a recomputation keeps the approved adjustment
    services.scorecards_compute(month=MONTH)
    card.refresh_from_db()
    assert card.total_points == D("87.00")
    services.scorecard_sign(scorecard=card, by=u["head_east"])
    card.refresh_from_db()
    assert card.status == "signed"
    with pytest.raises(ValidationError):
        services.adjustment_propose(scorecard=card, by=u["admin"], kind="bonus", points=1, reason="x")
    assert services.scorecards_compute(month=MONTH)["skipped_signed"] == 1
    assert [e.to_status for e in card.events.order_by("at", "pk")] == ["proposed", "approved", "signed"]


@pytest.mark.django_db
def test_scoping(october):
    u = october.users
    services.scorecards_compute(month=MONTH)
    assert set(selectors.scorecards_visible(u["inspector_east"])) == {card_of(u["inspector_east"])}
    head = selectors.scorecards_visible(u["head_east"])
    assert card_of(u["inspector_west"]) not in head and card_of(u["reader_east"]) in head
    assert selectors.scorecards_visible(u["liaison"]).count() == 0
    assert selectors.scorecards_visible(u["admin"]).count() == 7
    west = october.stations["west"]
    assert services.adjustment_decide  # noqa: B018 - imported
    adj = services.adjustment_propose(
        scorecard=card_of(u["inspector_west"]), by=u["admin"], kind="bonus", points=1, reason="x"
    )
    with pytest.raises(PermissionDenied):  # another station's head
        services.adjustment_decide(adjustment=adj, by=u["head_east"], approve=True)
    sheet = selectors.assessment_sheet(west, MONTH)
    assert sheet["pending_adjustments"] == 1 and sheet["unsigned"] == 2


@pytest.mark.django_db
def test_yearly_evaluation_disqualifies_and_assignment_refuses(october):
    from gridcheck.inspections.models import WorkOrder
    from gridcheck.inspections.selectors import eligible_inspectors
    from gridcheck.inspections.services.work_orders import assignment_problems

    u = october.users
    services.scorecards_compute(month=MONTH)
    # 90 and 95 points: the pass mark is 90 -> inspector_east passes; push them below with a deduction
    adj = services.adjustment_propose(
        scorecard=card_of(u["inspector_east"]),
        by=u["head_east"],
        kind="deduction",
        points=10,
        reason="严重失误",
    )
    services.adjustment_decide(adjustment=adj, by=u["admin"], approve=True)
    on = datetime.date(2027, 1, 10)
    results = {e.person_id: e for e in services.yearly_evaluate(year=2026, by=u["admin"], on=on)}
    failed = results[u["inspector_east"].pk]
    assert failed.passed is False and failed.average_points == D("80.00")
    assert failed.disqualified_until == datetime.date(2031, 12, 31)  # 60 months from January 2027
    assert results[u["inspector2_east"].pk].passed is True

    order = WorkOrder.objects.get(number="W1")
    day = datetime.date(2027, 2, 1)
    problems = assignment_problems(
        work_order=order, inspectors=[u["inspector_east"], u["inspector2_east"]], visit_date=day
    )
    assert len(problems) == 1 and "2031-12-31" in str(problems[0])
    assert u["inspector_east"] not in eligible_inspectors(order, day)
    assert u["inspector2_east"] in eligible_inspectors(order, day)


@pytest.mark.django_db
def test_disqualified_inspector_cannot_be_qualified_again(october):
    from gridcheck.users.importers import QUALIFICATIONS
    from gridcheck.users.models import Disqualification

    assert QUALIFICATIONS.entity == "qualifications"
    Disqualification.objects.create(
        user=october.users["inspector_east"],
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2031, 12, 31),
        reason="x",
    )
    assert october.users["inspector_east"].valid_qualification_on(datetime.date(2027, 3, 1)) is None
    assert october.users["inspector_east"].valid_qualification_on(datetime.date(2026, 3, 1)) is not None


@pytest.mark.django_db
def test_qualification_import_refuses_a_disqualified_inspector(october, tmp_path):
    import csv
    import io

    from django.utils import translation

    from gridcheck.archive.importers import ImportRejected, import_file
    from gridcheck.users.models import Disqualification, Qualification

    Disqualification.objects.create(
        user=october.users["inspector_east"],
        starts_on=datetime.date(2027, 1, 10),
        ends_on=datetime.date(2031, 12, 31),
        reason="年度评价不合格",
    )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [
            ["登录账号", "资格等级", "证书编号", "发证日期", "有效期至"],
            ["inspector_east", "二级", "JC-2028-0001", "2028-01-01", "2033-01-01"],
        ]
    )
    path = tmp_path / "q.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        import_file(entity="qualifications", path=path)
    assert "2031-12-31" in info.value.errors[0].reason
    assert not Qualification.objects.filter(certificate_number="JC-2028-0001").exists()
