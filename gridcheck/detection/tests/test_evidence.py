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


def test_the_category_evidence_reads_in_chinese():
    """A business customer at zero names its category as the archive's page does (农业), not its code."""
    with translation.override("zh-hans"):
        rows = evidence_rows({"category": "agricultural", "zero_share": 0.6})
    assert rows[0]["value"] == "农业" and rows[0]["label"] != "category"
    assert rows[1]["value"] == "60 %"


def test_the_analytics_category_names_are_the_archives():
    """The analytics core words each archive category as the archive's choices do in Chinese."""
    from gridcheck.archive.choices import CustomerCategory
    from gridcheck_analytics.schema import category_name

    with translation.override("zh-hans"):
        for choice in CustomerCategory:
            assert category_name(choice.value) == str(choice.label), choice.value
