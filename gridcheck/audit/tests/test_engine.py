"""The audit engine: the rule table in step with the code, versions, runs, deduplication, the findings'
workflow and its refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.audit import services
from gridcheck.audit.choices import FindingStatus, Module, RunRuleStatus, Theme
from gridcheck.audit.engine import RULES, Hit, Param, audit_rule
from gridcheck.audit.models import AuditRule, AuditRun, Finding, FindingEvent
from gridcheck.core.roles import Role
from gridcheck.core.runs import RunStatus

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)


@pytest.fixture
def test_rules():
    """Two rules of the test only: one that hits the customers named in ``state``, one that fails."""
    state = {"customers": [], "limit_seen": []}

    @audit_rule(
        code="ZZ-01",
        module=Module.TARIFF,
        theme=Theme.FEES,
        title="测试规则",
        description="测试用。",
        source="测试",
        owner_role=Role.AUDITOR,
        deadline_days=10,
        params={"limit": Param(5, 1, 10, "个", "上限")},
    )
    def hits_customers(ctx):
        state["limit_seen"].append(ctx.params["limit"])
        for customer in ctx.customers().filter(pk__in=[c.pk for c in state["customers"]]):
            yield Hit(
                key=f"customer:{customer.pk}",
                station_id=customer.station_id,
                area_id=customer.area_id,
                customer_id=customer.pk,
                summary=f"{customer.name}命中",
            )

    @audit_rule(
        code="ZZ-02",
        module=Module.TARIFF,
        theme=Theme.FEES,
        title="出错的规则",
        description="测试用。",
        source="测试",
        owner_role=Role.AUDITOR,
    )
    def fails(ctx):
        raise RuntimeError("no such column")
        yield  # pragma: no cover

    services.rules_sync()
    yield state
    RULES.pop("ZZ-01", None)
    RULES.pop("ZZ-02", None)


def _run(user, **kwargs):
    run = services.audit_run_start(month=MONTH, user=user, run_on=ON, enqueue=False, **kwargs)
    return services.audit_run_execute(run)


def test_sync_gives_every_declared_rule_a_first_version(county, test_rules):
    from django.utils import translation

    AuditRule.objects.filter(code="ZZ-01").delete()
    with translation.override("en"):  # as a management command runs it
        assert services.rules_sync() == 1
    rule = AuditRule.objects.get(code="ZZ-01")
    version = services.rule_version_on(rule, ON)
    assert version.enabled and version.params == {"limit": "5"} and version.deadline_days == 10
    assert rule.param_spec["limit"]["maximum"] == "10"
    assert AuditRule.objects.filter(code="DF-01").exists()
    # the version's reason is data people read: in the site's language, even from a command (English)
    assert version.reason == "规则库中该规则的首个版本"


def test_a_run_finds_dedupes_and_a_failing_rule_does_not_stop_the_others(county, test_rules):
    auditor = county.users["auditor_east"]
    test_rules["customers"] = [county.customers["east11"], county.customers["west11"]]
    run = _run(auditor, rule_codes=["ZZ-01", "ZZ-02"])
    assert run.status == RunStatus.SUCCEEDED
    results = {r.rule.code: r for r in run.results.all()}
    assert results["ZZ-02"].status == RunRuleStatus.FAILED and "no such column" in results["ZZ-02"].error
    assert results["ZZ-01"].status == RunRuleStatus.SUCCEEDED and results["ZZ-01"].new_findings == 2
    east = Finding.objects.get(customer=county.customers["east11"])
    # Assigned by role and station: the east station's auditor; the west station has none.
    assert east.status == FindingStatus.ASSIGNED and east.assignee == auditor
    assert east.deadline == ON + datetime.timedelta(days=10)
    assert Finding.objects.get(customer=county.customers["west11"]).status == FindingStatus.OPEN

    test_rules["customers"] = [county.customers["east11"]]
    second = _run(auditor, rule_codes=["ZZ-01"])
    assert Finding.objects.filter(rule__code="ZZ-01").count() == 2  # no second finding of one fact
    east.refresh_from_db()
    assert east.times_found == 2 and east.last_run == second and east.present
    west = Finding.objects.get(customer=county.customers["west11"])
    assert not west.present  # the latest run no longer found it


def test_a_second_run_of_the_month_is_refused_while_one_is_queued(county, test_rules):
    auditor = county.users["auditor_east"]
    services.audit_run_start(month=MONTH, user=auditor, enqueue=False)
    with pytest.raises(ValidationError):
        services.audit_run_start(month=MONTH, user=auditor, enqueue=False)
    assert AuditRun.objects.count() == 1


def test_a_themed_run_covers_only_its_area(county, test_rules):
    test_rules["customers"] = [county.customers["east11"], county.customers["east21"]]
    _run(county.users["auditor_east"], rule_codes=["ZZ-01"], area=county.areas["east1"])
    assert list(Finding.objects.values_list("customer__name", flat=True)) == ["客户east11"]


def test_a_threshold_outside_its_range_is_refused_and_a_change_is_a_new_version(county, test_rules):
    rule = AuditRule.objects.get(code="ZZ-01")
    admin = county.users["admin"]
    with pytest.raises(ValidationError) as refused:
        services.rule_version_change(
            rule=rule, user=admin, effective_from=ON, reason="收紧", params={"limit": "11"}
        )
    assert "1" in str(refused.value) and "10" in str(refused.value)
    with pytest.raises(PermissionDenied):
        services.rule_version_change(
            rule=rule, user=county.users["auditor_east"], effective_from=ON, reason="x", params={"limit": "3"}
        )
    services.rule_version_change(
        rule=rule, user=admin, effective_from=ON, reason="收紧", params={"limit": "3"}
    )
    assert services.rule_version_on(rule, ON - datetime.timedelta(days=1)).params == {"limit": "5"}
    assert services.rule_version_on(rule, ON).params == {"limit": "3"}
    _run(county.users["auditor_east"], rule_codes=["ZZ-01"])
    assert test_rules["limit_seen"][-1] == 3
    services.rule_version_change(
        rule=rule, user=admin, effective_from=ON + datetime.timedelta(days=1), reason="停用", enabled=False
    )
    later = services.audit_run_start(
        month=datetime.date(2025, 4, 1),
        user=admin,
        run_on=ON + datetime.timedelta(days=2),
        enqueue=False,
        rule_codes=["ZZ-01"],
    )
    later = services.audit_run_execute(later)
    assert later.counts["skipped"] == 1 and not later.results.exists()


def test_the_workflow_to_closure_and_its_refusals(county, test_rules):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    test_rules["customers"] = [county.customers["east11"]]
    _run(auditor, rule_codes=["ZZ-01"])
    finding = Finding.objects.get()
    services.finding_assign(finding=finding, user=head, assignee=county.users["reader_east"])
    reader = county.users["reader_east"]
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, user=head)
    services.finding_rectify(finding=finding, user=reader, resolution="已改正电价")
    with pytest.raises(PermissionDenied):
        services.finding_verify(finding=finding, user=reader, accepted=True)
    services.finding_verify(finding=finding, user=auditor, accepted=True)
    services.finding_close(finding=finding, user=head)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.closed_at
    steps = list(FindingEvent.objects.filter(finding=finding).values_list("to_status", flat=True))
    assert steps == ["assigned", "assigned", "rectified", "verified", "closed"]
    # Found again after closing: a new finding.
    _run(auditor, rule_codes=["ZZ-01"])
    assert Finding.objects.count() == 2


def test_not_a_problem_is_never_approved_by_the_assignee(county, test_rules):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    test_rules["customers"] = [county.customers["east11"]]
    _run(auditor, rule_codes=["ZZ-01"])
    finding = Finding.objects.get()
    assert finding.assignee == auditor
    services.finding_dismiss_request(finding=finding, user=auditor, reason="客户实为居民，类别已核实")
    with pytest.raises(PermissionDenied):
        services.finding_dismiss_decide(finding=finding, user=auditor, approved=True)
    services.finding_dismiss_decide(finding=finding, user=head, approved=True)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED


def test_findings_outside_ones_station_cannot_be_worked(county, test_rules):
    test_rules["customers"] = [county.customers["west11"]]
    _run(county.users["admin"], rule_codes=["ZZ-01"])
    finding = Finding.objects.get()
    with pytest.raises(PermissionDenied):
        services.finding_assign(
            finding=finding, user=county.users["auditor_east"], assignee=county.users["auditor_east"]
        )


def test_overdue_findings_are_escalated_once_to_the_station_head(county, test_rules):
    from gridcheck.notifications.models import Message

    test_rules["customers"] = [county.customers["east11"]]
    _run(county.users["auditor_east"], rule_codes=["ZZ-01"])
    late = ON + datetime.timedelta(days=11)
    assert services.findings_escalate_overdue(on=late) == 1
    assert services.findings_escalate_overdue(on=late + datetime.timedelta(days=1)) == 0
    message = Message.objects.get(recipient_user=county.users["head_east"])
    assert "ZZ-01" in message.body


def test_category_vs_tariff_rule(county):
    """DF-01: a residential customer on the general tariff is found; the correct ones are not."""
    customer = county.customers["east11"]
    customer.tariff_code = "GEN-1"
    customer.save()
    run = _run(county.users["auditor_east"], rule_codes=["DF-01"])
    assert run.status == RunStatus.SUCCEEDED
    assert list(Finding.objects.values_list("customer_id", flat=True)) == [customer.pk]
    finding = Finding.objects.get()
    assert "居民" in finding.summary and finding.evidence[0]["url"].endswith(f"/{customer.pk}/")


def test_the_daily_job_runs_nightly_rules_and_every_rule_on_the_monthly_day(county, test_rules):
    from gridcheck.audit.choices import RunTrigger
    from gridcheck.audit.models import AuditRule
    from gridcheck.core.rules import rule_int

    day = rule_int("audit.monthly_run_day", ON)
    nightly = set(AuditRule.objects.filter(schedule="nightly").values_list("code", flat=True))
    result = services.audit_daily(on=datetime.date(2025, 4, day + 1))
    run = AuditRun.objects.get(pk=result["runs"][0])
    assert run.trigger == RunTrigger.NIGHTLY and run.month == datetime.date(2025, 4, 1)
    assert set(run.rule_codes) == nightly and nightly
    result = services.audit_daily(on=datetime.date(2025, 6, day))
    run = AuditRun.objects.get(pk=result["runs"][0])
    assert run.trigger == RunTrigger.MONTHLY and run.month == datetime.date(2025, 5, 1)
    assert run.rule_codes == []
    # The month's run still queued: the next day's nightly run of that month is skipped, not an error.
    assert services.audit_daily(on=datetime.date(2025, 4, day + 2))["runs"] == []
