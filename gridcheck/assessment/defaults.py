"""The first version of each KPI (loaded by migration 0002; later versions are data, changed in the app).

Each row: code, name (English msgid, translated on the page), subject, formula, unit, direction, target,
points, scoring, fine rule key.
"""

from django.utils.translation import gettext_noop as N_

DEFAULT_KPIS = [
    # area manager (台区专责)
    (
        "am_loss_target",
        N_("Areas within their loss target"),
        "area_manager",
        "areas_above_target",
        "count",
        "lower",
        "0",
        "10",
        "all_or_nothing",
        "",
    ),
    (
        "am_recovery",
        N_("Recovery rate"),
        "area_manager",
        "area_recovery_rate",
        "percent",
        "higher",
        "100",
        "10",
        "proportional",
        "",
    ),
    (
        "am_actual_reading",
        N_("Actual-reading rate of the areas"),
        "area_manager",
        "area_actual_reading_rate",
        "percent",
        "higher",
        "100",
        "5",
        "proportional",
        "",
    ),
    (
        "am_census",
        N_("Census discrepancies in the areas"),
        "area_manager",
        "area_census_discrepancies",
        "count",
        "lower",
        "0",
        "1",
        "per_unit",
        "",
    ),
    (
        "am_key_theft",
        N_("Theft at key customers"),
        "area_manager",
        "key_customer_thefts",
        "count",
        "lower",
        "0",
        "5",
        "per_unit",
        "",
    ),
    # meter reader (抄表员)
    (
        "rd_actual_reading",
        N_("Actual-reading rate"),
        "meter_reader",
        "reader_actual_reading_rate",
        "percent",
        "higher",
        "100",
        "10",
        "all_or_nothing",
        "",
    ),
    (
        "rd_estimated",
        N_("Estimated readings"),
        "meter_reader",
        "reader_estimated_readings",
        "count",
        "lower",
        "0",
        "0.5",
        "per_unit",
        "",
    ),
    (
        "rd_incomplete",
        N_("Incomplete reading cards"),
        "meter_reader",
        "reader_incomplete_cards",
        "count",
        "lower",
        "0",
        "1",
        "per_unit",
        "assessment.incomplete_card_fine_yuan",
    ),
    # inspector (用电检查员)
    (
        "in_on_time",
        N_("Work orders done on time"),
        "inspector",
        "orders_on_time_rate",
        "percent",
        "higher",
        "100",
        "10",
        "proportional",
        "",
    ),
    (
        "in_case_correct",
        N_("Case correctness"),
        "inspector",
        "case_correctness_rate",
        "percent",
        "higher",
        "100",
        "10",
        "proportional",
        "",
    ),
    (
        "in_case_closure",
        N_("Case closure rate"),
        "inspector",
        "case_closure_rate",
        "percent",
        "higher",
        "80",
        "5",
        "proportional",
        "",
    ),
    (
        "in_evidence",
        N_("Evidence completeness"),
        "inspector",
        "evidence_complete_rate",
        "percent",
        "higher",
        "100",
        "5",
        "all_or_nothing",
        "",
    ),
    (
        "in_tipoffs",
        N_("Tip-offs reached in time"),
        "inspector",
        "tipoffs_in_time_rate",
        "percent",
        "higher",
        "100",
        "10",
        "all_or_nothing",
        "",
    ),
    # station (供电所)
    (
        "st_late_fee",
        N_("Late-fee income against the annual target"),
        "station",
        "late_fee_income_ytd",
        "yuan",
        "higher",
        "0",
        "10",
        "proportional",
        "",
    ),
    (
        "st_audit_closed",
        N_("Audit findings closed on time"),
        "station",
        "audit_findings_closed_rate",
        "percent",
        "higher",
        "100",
        "10",
        "proportional",
        "",
    ),
    (
        "st_hazards_closed",
        N_("Hazards closed on time"),
        "station",
        "hazards_closed_rate",
        "percent",
        "higher",
        "100",
        "10",
        "proportional",
        "",
    ),
    (
        "st_notices",
        N_("Hazard notices sent on time"),
        "station",
        "notices_on_time_rate",
        "percent",
        "higher",
        "100",
        "10",
        "all_or_nothing",
        "",
    ),
]

#: The columns of a default row above (every default is in use).
FIELDS = (
    "code",
    "name",
    "subject",
    "formula",
    "unit",
    "direction",
    "target",
    "weight",
    "scoring",
    "fine_rule",
)


#: The reason recorded with the first version of each KPI (shown on the KPI page).
INITIAL_REASON = "系统预置的初始考核指标"


def kpi_defaults_ensure(model=None) -> int:
    """Load the first version of every default KPI that has none yet (the migration, the demo and tests
    whose database was flushed); returns how many were added."""
    import datetime
    from decimal import Decimal

    if model is None:
        from gridcheck.assessment.models import KpiDefinition as model
    added = 0
    for row in DEFAULT_KPIS:
        data = dict(zip(FIELDS, row, strict=True))
        if model.objects.filter(code=data["code"]).exists():
            continue
        data["target"] = Decimal(data["target"])
        data["weight"] = Decimal(data["weight"])
        model.objects.create(
            version=1, effective_from=datetime.date(2000, 1, 1), reason=INITIAL_REASON, **data
        )
        added += 1
    return added
