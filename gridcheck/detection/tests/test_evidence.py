"""Every value a rule puts in a reason's evidence is shown to the inspector under a label, never its key."""

import ast
import inspect

from django.utils import translation

from gridcheck.detection.evidence import _label, evidence_rows
from gridcheck_analytics.rules import detectors


def _evidence_columns() -> set[str]:
    """The evidence columns of every ``reasons(...)`` call of the rule detectors (their 7th argument)."""
    tree = ast.parse(inspect.getsource(detectors))
    columns = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "reasons" and len(node.args) >= 7:
            listed = node.args[6]
            if isinstance(listed, ast.List):
                columns |= {e.value for e in listed.elts if isinstance(e, ast.Constant)}
    return columns


def test_every_rule_evidence_has_a_label():
    columns = _evidence_columns()
    assert {"mean_kwh", "last_year_mean_kwh", "yoy_ratio"} <= columns  # the calls were found
    with translation.override("zh-hans"):
        unlabelled = sorted(c for c in columns if str(_label(c)[0]) == c)
    assert not unlabelled


def test_the_year_on_year_evidence_reads_in_chinese():
    with translation.override("zh-hans"):
        rows = evidence_rows({"mean_kwh": 3.8, "last_year_mean_kwh": 5.5, "yoy_ratio": 0.69})
    assert [r["value"] for r in rows] == ["3.8 kWh", "5.5 kWh", "69 %"]
    assert all(r["label"] != r["key"] and not r["label"].isascii() for r in rows)
