import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from gridcheck.core.runs import RunStatus
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import DetectionRun, Suspect, SuspectStatusChange
from gridcheck.detection.services import (
    detection_run_create,
    detection_run_execute,
    suspect_dismiss,
    suspect_reopen,
    suspects_save,
)
from gridcheck.detection.tests.conftest import MONTH, FakeScorer, scored_frame

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _run(month="2026-10", **kwargs):
    return detection_run_execute(run=detection_run_create(month=month), **kwargs)


def test_run_writes_ranked_suspects_with_reasons(county, scored, settings):
    seen = []
    run = _run(progress=lambda step, done, total: seen.append((step, done, total)))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [s[0] for s in seen] == ["connect", "features", "rules", "model", "combine", "save"]
    assert seen[-1] == ("save", 6, 6) and run.progress_percent == 100
    assert scored.calls[0]["month"] == "2026-10" and scored.calls[0]["meters"] == 8
    # the scoring explains only the rows that can be suspects
    assert scored.calls[0]["explain_min_score"] == settings.GRIDCHECK_DETECTION_MIN_SCORE
    assert run.model_version == "rules+peer"  # no trained model configured

    suspects = {s.customer_id: s for s in Suspect.objects.all()}
    c = county.customers
    assert set(suspects) == {c["east11"].pk, c["east12"].pk, c["west11"].pk}  # no reason: no suspect
    for s in suspects.values():
        assert s.reasons and all(r["text"] for r in s.reasons)
        assert s.run == run and s.month == MONTH
    top = suspects[c["east11"].pk]
    assert top.score == pytest.approx(0.91) and len(top.reasons) == 2
    assert top.area == county.areas["east1"] and top.station == county.stations["east"]
    assert top.meter_number == f"M{c['east11'].account_number}"
    assert (top.rank_in_area, top.rank_in_station) == (1, 1)  # the unknown account is not ranked
    assert (suspects[c["east12"].pk].rank_in_area, suspects[c["east12"].pk].rank_in_station) == (2, 2)
    assert (suspects[c["west11"].pk].rank_in_area, suspects[c["west11"].pk].rank_in_station) == (1, 1)
    assert run.counts == {
        "scored": 9,
        "suspects": 3,
        "areas": 2,
        "below_threshold": 5,  # the five customers scored 0.05 with no rule fired
        "carried_decisions": 0,
        "unknown_accounts": 1,
    }
    assert run.timings.keys() >= {"connect", "features", "save"}


def test_rerun_replaces_suspects_and_keeps_decisions(county, scored):
    first = _run()
    east12 = Suspect.objects.get(customer=county.customers["east12"])
    suspect_dismiss(suspect=east12, user=county.users["head_east"], note="季节性停产，已电话核实")
    scored.frame = scored_frame(county, scores={"east12": 0.8, "west11": 0.3, "east21": 0.7})
    second = _run()
    assert second.status == RunStatus.SUCCEEDED, second.error
    assert Suspect.objects.count() == 3
    assert set(Suspect.objects.values_list("run", flat=True)) == {second.pk}
    assert not Suspect.objects.filter(customer=county.customers["east11"]).exists()
    east12 = Suspect.objects.get(customer=county.customers["east12"])
    assert east12.status == SuspectStatus.DISMISSED and east12.status_note.startswith("季节性")
    assert east12.rank_in_area == 1 and east12.score == pytest.approx(0.8)
    assert second.counts["carried_decisions"] == 1
    change = SuspectStatusChange.objects.get()
    assert change.suspect == east12 and change.to_status == SuspectStatus.DISMISSED
    assert DetectionRun.objects.get(pk=first.pk).suspects.count() == 0


def test_failed_run_keeps_previous_suspects(county, scored, monkeypatch):
    _run()
    monkeypatch.setattr(
        "gridcheck_analytics.suspects.score_month", FakeScorer(RuntimeError("store unreadable"))
    )
    run = _run()
    assert run.status == RunStatus.FAILED and "store unreadable" in run.error
    assert Suspect.objects.count() == 3


def test_only_rows_with_a_reason_text_become_suspects(county):
    run = detection_run_create(month="2026-10")
    frame = scored_frame(county)
    row = frame.index[frame.account_number == county.customers["east11"].account_number][0]
    frame.at[row, "reasons"] = [{"code": "x", "text": "  "}]
    assert suspects_save(run=run, frame=frame)["suspects"] == 2


def test_a_low_model_score_alone_is_not_a_suspicion(county, settings):
    settings.GRIDCHECK_DETECTION_MIN_SCORE = 0.5
    run = detection_run_create(month="2026-10")
    frame = scored_frame(county)
    model_only = [{"code": "model_ratio_to_own", "text": "与同类用户相比偏离较大", "source": "model"}]
    for key, score in (("east21", 0.2), ("east22", 0.75)):
        row = frame.index[frame.account_number == county.customers[key].account_number][0]
        frame.at[row, "reasons"] = model_only
        frame.at[row, "score"] = score
    counts = suspects_save(run=run, frame=frame)
    # below: east21 (0.2, the model's reason only) and the three customers scored 0.05 without reasons
    assert counts["suspects"] == 4 and counts["below_threshold"] == 4
    assert Suspect.objects.filter(customer=county.customers["east22"]).exists()
    assert Suspect.objects.get(customer=county.customers["east12"]).score < 0.6  # a rule fired: kept


def test_dismiss_needs_a_note_and_reopens(county, scored):
    _run()
    suspect = Suspect.objects.get(customer=county.customers["west11"])
    with pytest.raises(ValidationError):
        suspect_dismiss(suspect=suspect, user=county.users["admin"], note=" ")
    suspect_dismiss(suspect=suspect, user=county.users["admin"], note="表计已更换")
    suspect = suspect_reopen(suspect=suspect, user=county.users["admin"])
    assert suspect.status == SuspectStatus.NEW
    assert list(SuspectStatusChange.objects.order_by("pk").values_list("to_status", flat=True)) == [
        "dismissed",
        "new",
    ]


def test_detect_command(county, scored, capsys):
    call_command("detect", month="2026-10", no_progress=True)
    run = DetectionRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and Suspect.objects.count() == 3
    call_command("detect", month="2026-10")  # with the progress bar
    assert Suspect.objects.count() == 3 and DetectionRun.objects.count() == 2


def test_analyse_hook_runs_detection(county, meter_data, scored):
    from gridcheck.lineloss.models import AnalysisRun

    call_command("analyse", month="2026-10", no_progress=True)
    analysis = AnalysisRun.objects.get()
    run = DetectionRun.objects.get()
    assert analysis.status == "succeeded" and run.status == RunStatus.SUCCEEDED, run.error
    assert run.analysis_run == analysis and run.month == MONTH
    assert Suspect.objects.count() == 3
    call_command("analyse", month="2026-10", no_progress=True, no_follow_up=True)
    assert DetectionRun.objects.count() == 1


def test_areas_are_flagged_for_suspects_only_when_what_they_explain_is_material(county, meter_data, scored):
    """After detection, an area's suspects are listed as a cause with the loss they explain; they flag
    the area only when that is material against its loss (rule rows lineloss.suspects_material_*);
    dismissing them takes their part away."""
    from django.utils import translation

    from gridcheck.lineloss.models import AreaMonthLoss
    from gridcheck.lineloss.services import LOSS_FLAGS

    call_command("analyse", month="2026-10", no_progress=True)
    suspects = Suspect.objects.filter(month=MONTH)
    areas = set(suspects.values_list("area_id", flat=True))
    assert areas
    material_seen = set()
    for row in AreaMonthLoss.objects.filter(month=MONTH):
        mine = suspects.filter(area_id=row.area_id)
        explained = sum(s.estimated_loss_kwh for s in mine)
        assert row.theft_suspects == mine.count()
        assert row.suspects_explained_kwh == pytest.approx(explained)
        material = mine.exists() and explained >= 30 and explained >= 0.02 * max(row.loss_kwh, 0)
        assert row.suspects_material == material
        assert row.flagged == (material or any(getattr(row, f) for f in LOSS_FLAGS))
        codes = [c["code"] for c in row.causes]
        assert ("theft_suspects" in codes) == mine.exists()
        if material:
            material_seen.add(row.area_id)
    # east11 (400 kWh) makes its area material; east12's 5 kWh alone would not
    east = county.customers["east11"].area_id
    assert east in material_seen
    row = AreaMonthLoss.objects.get(month=MONTH, area_id=east)
    # no calibration: the expected recovery is the whole explained energy at the area's mean tariff
    assert row.suspects_expected_yuan is not None and row.suspects_expected_yuan > 0
    with translation.override("zh-hans"):
        assert any("窃电嫌疑名单" in text for text in row.cause_list)
    for suspect in suspects.filter(customer=county.customers["east11"]):
        suspect_dismiss(suspect=suspect, user=county.users["admin"], note="季节性停产，已核实")
    row.refresh_from_db()
    assert not row.suspects_material and row.suspects_explained_kwh == pytest.approx(5.0)
    assert row.flagged == any(getattr(row, f) for f in LOSS_FLAGS)
    suspect_reopen(
        suspect=suspects.filter(customer=county.customers["east11"]).first(), user=county.users["admin"]
    )
    row.refresh_from_db()
    assert row.suspects_material and row.flagged


def test_analyse_keeps_the_line_loss_but_exits_non_zero_when_detection_fails(county, meter_data, monkeypatch):
    from django.core.management.base import CommandError

    from gridcheck.lineloss.models import AnalysisRun

    monkeypatch.setattr("gridcheck_analytics.suspects.score_month", FakeScorer(RuntimeError("boom")))
    with pytest.raises(CommandError, match="boom"):
        call_command("analyse", month="2026-10", no_progress=True)
    assert AnalysisRun.objects.get().status == "succeeded"
    assert DetectionRun.objects.get().status == RunStatus.FAILED


def test_the_commands_refuse_a_month_whose_run_is_active(county, scored):
    from django.core.management.base import CommandError
    from django.utils import translation

    from gridcheck.lineloss.services import analysis_run_create

    analysis_run_create(month="2026-10")
    detection_run_create(month="2026-10")
    with translation.override("en"):
        with pytest.raises(CommandError, match="already queued or running"):
            call_command("analyse", month="2026-10", no_progress=True)
        with pytest.raises(CommandError, match="already queued or running"):
            call_command("detect", month="2026-10", no_progress=True)


@override_settings(TASKS=IMMEDIATE)
def test_analysis_task_queues_detection(county, meter_data, scored, django_capture_on_commit_callbacks):
    from gridcheck.lineloss.services import analysis_run_start

    with django_capture_on_commit_callbacks(execute=True):
        analysis_run_start(month="2026-10", started_by=county.users["admin"])
    run = DetectionRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.task_id and run.started_by == county.users["admin"]
    assert Suspect.objects.count() == 3


@override_settings(GRIDCHECK_DETECTION_AFTER_ANALYSIS=False)
def test_analyse_hook_can_be_switched_off(county, meter_data, scored):
    call_command("analyse", month="2026-10", no_progress=True)
    assert not DetectionRun.objects.exists()


def test_real_score_month_names_the_bypassed_customer(county, theft_data):
    """Integration: the real pipeline on four months of hand-made data with one theft."""
    run = _run()
    assert run.status == RunStatus.SUCCEEDED, run.error
    suspects_ = list(Suspect.objects.select_related("customer"))
    assert suspects_, run.counts
    assert all(s.reasons and all(r["text"].strip() for r in s.reasons) for s in suspects_)
    top = Suspect.objects.get(customer=county.customers["east11"])
    assert top.rank_in_area == 1
