"""Ground truth of the audit rules: inject known anomalies into the demo county, keep them in a truth file
apart from the data (like the theft truth of the meter data), and measure each rule against it.

The truth file is a CSV of ``rule,key`` rows (UTF-8), by default ``<VAR_DIR>/demo/audit_truth.csv``.
"""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from gridcheck.audit.engine import INJECTORS
from gridcheck.audit.models import AuditRun, Finding

INJECTED_PER_RULE = 20


def truth_path_default() -> Path:
    from config.env import VAR_DIR

    return VAR_DIR / "demo" / "audit_truth.csv"


def injectors_load() -> dict:
    import gridcheck.audit.injections  # noqa: F401 - the import registers the injectors

    return INJECTORS


def anomalies_inject(
    *, month: datetime.date, on: datetime.date, seed: int, count: int = INJECTED_PER_RULE, codes=None
) -> list[tuple[str, str]]:
    """Run every rule's injector (or those of ``codes``) on the database, each in its own transaction and
    with its own random stream (``seed`` and the rule code), and return the ``(rule, key)`` truth rows."""
    rows: list[tuple[str, str]] = []
    for code, injector in sorted(injectors_load().items()):
        if codes and code not in codes:
            continue
        rng = random.Random(f"{seed}:{code}")
        with transaction.atomic():
            keys = injector(rng=rng, count=count, month=month, on=on)
        rows.extend((code, key) for key in keys)
    return rows


def truth_write(rows: list[tuple[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rule", "key"])
        writer.writerows(sorted(set(rows)))
    return path


def truth_read(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"rule", "key"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: the header lacks {', '.join(sorted(missing))}")
        rows = []
        for number, row in enumerate(reader, start=2):
            if not row["rule"] or not row["key"]:
                raise ValueError(f"{path}, row {number}: rule and key are required")
            rows.append((row["rule"].strip(), row["key"].strip()))
        return rows


@dataclass
class RuleScore:
    rule: str
    title: str
    injected: int
    hits: int
    found_injected: int

    @property
    def recall(self) -> float | None:
        return self.found_injected / self.injected if self.injected else None

    @property
    def precision(self) -> float | None:
        """Share of the rule's hits that are injected facts: on a demo county that has natural anomalies
        too (estimated readings, real arrears), a hit outside the truth file is not always wrong."""
        return self.found_injected / self.hits if self.hits else None


def run_evaluate(run: AuditRun, truth: list[tuple[str, str]]) -> list[RuleScore]:
    """Score each rule that ran in ``run`` (or was injected) against the truth rows."""
    hits: dict[str, set[str]] = {}
    for code, key in Finding.objects.filter(last_run=run).values_list("rule__code", "key").iterator():
        hits.setdefault(code, set()).add(key)
    expected: dict[str, set[str]] = {}
    for code, key in truth:
        expected.setdefault(code, set()).add(key)
    titles = dict(run.results.values_list("rule__code", "rule__title"))
    scores = []
    for code in sorted(set(titles) | set(expected)):
        found = hits.get(code, set())
        wanted = expected.get(code, set())
        scores.append(
            RuleScore(
                rule=code,
                title=titles.get(code, ""),
                injected=len(wanted),
                hits=len(found),
                found_injected=len(found & wanted),
            )
        )
    return scores
