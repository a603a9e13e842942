"""The quality gate of ``detect train`` (issue 21, item 4).

The labels and the features are stubbed (a training table where ``ratio_to_own`` decides theft), so the
tests run the real training, registry, gate and candidate records in seconds: a model not worse than the
current one becomes current; a clearly worse one (LightGBM that cannot split) waits, the registry keeping
both; a station head's approval makes it current; its trainer cannot approve it.
"""

import json

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from gridcheck.detection import services
from gridcheck.detection.choices import CandidateStatus
from gridcheck.detection.models import ModelCandidate
from gridcheck.lineloss.tests.conftest import data_dir  # noqa: F401 - fixture reused
from gridcheck_analytics.detection import supervised
from gridcheck_analytics.features import FEATURE_COLUMNS

pytestmark = pytest.mark.django_db


def _labels_and_table(n_customers=80, seed=0):
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for c in range(n_customers):
        y = int(c % 4 == 0)
        account = f"9{c:09d}"
        labels.append((account, [f"M{account}"], y, "2025-11-10"))
        row = {f: rng.normal() for f in FEATURE_COLUMNS}
        row["ratio_to_own"] = (0.3 if y else 1.0) + 0.1 * rng.normal()
        rows.append(
            {
                "account_number": account,
                "meter_id": f"M{account}",
                "month": 202510,
                "case_date": None,
                "label": y,
            }
            | row
        )
    labels = pd.DataFrame(labels, columns=list(supervised.LABEL_COLUMNS))
    table = pd.DataFrame(rows)
    return labels, table


@pytest.fixture
def stubbed(monkeypatch, data_dir, settings):  # noqa: F811
    settings.GRIDCHECK_DETECTION_MODEL = ""
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""
    labels, table = _labels_and_table()
    monkeypatch.setattr("gridcheck.cases.selectors.case_labels", lambda: labels)
    monkeypatch.setattr(
        supervised, "labelled_features", lambda *a, **k: (table.copy(), labels.iloc[:0].copy())
    )
    return data_dir / "models"


def _cannot_split(monkeypatch):
    """From now on the trained LightGBM cannot split (a leaf needs more rows than there are): constant."""
    from gridcheck_analytics.detection import evaluate

    original = evaluate.lightgbm_model
    monkeypatch.setattr(
        evaluate,
        "lightgbm_model",
        lambda n, seed, min_child_samples=20: original(n, seed, min_child_samples=10_000),
    )


def _current(registry):
    return json.loads((registry / "current.json").read_text())


def test_first_and_not_worse_models_are_promoted(stubbed, county):
    first = services.detection_model_train(n_estimators=30, trained_by=county.users["admin"])
    assert first.candidate.status == CandidateStatus.PROMOTED
    assert first.candidate.comparison["reason"] == "no_current_model"
    assert _current(stubbed)["version"] == 1
    second = services.detection_model_train(n_estimators=30, seed=1)
    c = second.candidate
    assert c.status == CandidateStatus.PROMOTED and c.comparison["reason"] == "not_worse"
    assert (c.current_name, c.current_version) == ("cases-lightgbm", 1)
    assert c.comparison["new_auc"] > 0.9 and c.comparison["difference_ci"][1] >= 0
    assert c.comparison["folds"] == 5 and c.comparison["n_boot"] == 1000
    assert _current(stubbed)["version"] == 2


def test_clearly_worse_model_waits_and_the_registry_keeps_both(stubbed, county, monkeypatch):
    services.detection_model_train(n_estimators=30)
    _cannot_split(monkeypatch)
    out = io_call(["train", "--trees", "30", "--user", "inspector_east"])
    c = ModelCandidate.objects.get(version=2)
    assert c.status == CandidateStatus.PENDING and c.comparison["reason"] == "worse"
    assert c.comparison["new_auc"] == pytest.approx(0.5)
    assert c.comparison["difference_ci"][1] < 0
    assert c.trained_by == county.users["inspector_east"]
    assert _current(stubbed)["version"] == 1  # the current model stays
    assert (stubbed / "cases-lightgbm" / "1" / "metadata.json").is_file()
    assert (stubbed / "cases-lightgbm" / "2" / "metadata.json").is_file()
    assert "waits for a station head" in out["stderr"] or "等待所长审批" in out["stderr"]


def io_call(args):
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("detect", *args, stdout=out, stderr=err)
    return {"stdout": out.getvalue(), "stderr": err.getvalue()}


def test_head_approval_promotes_with_who_and_when(stubbed, county, monkeypatch, login):
    services.detection_model_train(n_estimators=30)
    _cannot_split(monkeypatch)
    held = services.detection_model_train(
        n_estimators=30, trained_by=county.users["inspector_east"]
    ).candidate
    assert held.status == CandidateStatus.PENDING
    client = login("head_east")
    page = client.get(reverse("detection:candidate_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="candidate-{held.pk}"' in html and 'data-testid="approve"' in html
    assert f"{held.comparison['new_auc']:.3f}" in html and f"{held.comparison['current_auc']:.3f}" in html
    response = client.post(
        reverse("detection:candidate_decide", args=[held.pk]), {"decision": "approve", "note": "看过比较"}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == CandidateStatus.APPROVED
    assert held.decided_by == county.users["head_east"] and held.decided_at is not None
    assert held.note == "看过比较"
    assert _current(stubbed)["version"] == held.version


def test_the_trainer_cannot_approve_and_an_inspector_cannot_decide(stubbed, county, monkeypatch, login):
    services.detection_model_train(n_estimators=30)
    _cannot_split(monkeypatch)
    head = county.users["head_east"]
    held = services.detection_model_train(n_estimators=30, trained_by=head).candidate
    with pytest.raises(ValidationError):
        services.model_candidate_approve(candidate=held, user=head)
    client = login("head_east")
    assert 'data-testid="approve"' not in client.get(reverse("detection:candidate_list")).content.decode()
    client.post(reverse("detection:candidate_decide", args=[held.pk]), {"decision": "approve"})
    held.refresh_from_db()
    assert held.status == CandidateStatus.PENDING and _current(stubbed)["version"] == 1
    inspector = login("inspector_east")
    response = inspector.post(reverse("detection:candidate_decide", args=[held.pk]), {"decision": "approve"})
    assert response.status_code == 403
    # another head (here the administrator) rejects it: the current model stays
    services.model_candidate_reject(candidate=held, user=county.users["admin"], note="worse")
    held.refresh_from_db()
    assert held.status == CandidateStatus.REJECTED and _current(stubbed)["version"] == 1
