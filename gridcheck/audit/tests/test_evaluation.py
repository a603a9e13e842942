"""Ground truth: injectors' keys written to the truth file, read back, and scored against a run."""

import datetime

import pytest
from django.core.management import call_command

from gridcheck.audit import evaluation, services
from gridcheck.audit.engine import INJECTORS, audit_injector

MONTH = datetime.date(2025, 3, 1)


@pytest.fixture
def df01_injector():
    """An injector of DF-01 on the small county: residential customers put on the general tariff."""

    def inject(*, rng, count, month, on):
        from gridcheck.archive.models import Customer

        chosen = sorted(
            rng.sample(
                list(Customer.objects.filter(category="residential").values_list("pk", flat=True)), count
            )
        )
        Customer.objects.filter(pk__in=chosen).update(tariff_code="GEN-1")
        return [f"customer:{pk}" for pk in chosen]

    evaluation.injectors_load()  # the real injectors register on first import: set them aside
    saved = INJECTORS.copy()
    INJECTORS.clear()
    audit_injector("DF-01")(inject)
    yield
    INJECTORS.clear()
    INJECTORS.update(saved)


def test_inject_run_and_evaluate(county, df01_injector, tmp_path, capsys):
    rows = evaluation.anomalies_inject(month=MONTH, on=datetime.date(2025, 4, 10), seed=1, count=3)
    assert len(rows) == 3 and all(code == "DF-01" for code, _ in rows)
    path = evaluation.truth_write(rows, tmp_path / "truth.csv")
    assert sorted(evaluation.truth_read(path)) == sorted(rows)
    # One false positive besides the injected three: a fourth residential customer on the general tariff.
    extra = next(
        c for c in county.customers.values() if c.category == "residential" and c.tariff_code == "RES-1"
    )
    extra.tariff_code = "GEN-1"
    extra.save()
    run = services.audit_run_start(
        month=MONTH, run_on=datetime.date(2025, 4, 10), enqueue=False, rule_codes=["DF-01"]
    )
    run = services.audit_run_execute(run)
    score = next(s for s in evaluation.run_evaluate(run, rows) if s.rule == "DF-01")
    assert (score.injected, score.hits, score.found_injected) == (3, 4, 3)
    assert score.recall == 1.0 and score.precision == 0.75
    call_command("audit", "evaluate", "--truth", str(path))
    out = capsys.readouterr().out
    assert "DF-01\t3\t4\t3\t1.00\t0.75" in out


def test_a_truth_file_without_its_header_is_refused_with_its_name(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_text("code,key\nDF-01,customer:1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="truth.csv"):
        evaluation.truth_read(path)
    path.write_text("rule,key\nDF-01,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        evaluation.truth_read(path)


def test_the_docs_list_every_rule_with_its_title():
    from pathlib import Path

    from gridcheck.audit.library import rules_load

    docs = (Path(__file__).resolve().parents[3] / "docs" / "audit.md").read_text(encoding="utf-8")
    missing = [
        code for code, rule in rules_load().items() if f"| {code} |" not in docs or rule.title not in docs
    ]
    assert missing == [], "add these rules to the catalogue in docs/audit.md"
