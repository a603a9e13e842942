"""The marketing audit API (/api/audit/): rules with the version in force and their change, runs and their
refusal while one is active, findings scoped to the user with their filters, and the workflow's actions
with the services' refusals (403, 400) and scope (a finding of another station is not found)."""

import datetime

import pytest

from gridcheck.audit import services
from gridcheck.audit.choices import FindingStatus, Module, Theme
from gridcheck.audit.engine import RULES, Hit, Param, audit_rule
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.core.roles import Role
from gridcheck.core.runs import RunStatus

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)
RULE = "ZZ-51"


@pytest.fixture
def api_rule():
    """A rule of this test only: it hits the customers named in ``state``."""
    state = {"customers": []}

    @audit_rule(
        code=RULE,
        module=Module.BUSINESS,
        theme=Theme.FEES,
        title="接口测试规则",
        description="测试用。",
        source="测试",
        owner_role=Role.AUDITOR,
        deadline_days=10,
        params={"limit": Param(5, 1, 10, "个", "上限")},
    )
    def hits_customers(ctx):
        for customer in ctx.customers().filter(pk__in=[c.pk for c in state["customers"]]):
            yield Hit(
                key=f"customer:{customer.pk}",
                station_id=customer.station_id,
                area_id=customer.area_id,
                customer_id=customer.pk,
                summary=f"{customer.name}命中",
            )

    services.rules_sync()
    yield state
    RULES.pop(RULE, None)


def _run(user, **kwargs):
    run = services.audit_run_start(month=MONTH, user=user, run_on=ON, enqueue=False, **kwargs)
    return services.audit_run_execute(run)


@pytest.fixture
def found(county, api_rule):
    """Findings of east11 (east station, area east1, assigned to auditor_east) and west11 (west, open)."""
    api_rule["customers"] = [county.customers["east11"], county.customers["west11"]]
    run = _run(county.users["admin"], rule_codes=[RULE])
    return {
        "run": run,
        "east": Finding.objects.get(customer=county.customers["east11"]),
        "west": Finding.objects.get(customer=county.customers["west11"]),
    }


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


# ------------------------------------------------------------------------------------------- rules
def test_rules_list_and_detail_carry_the_version_in_force_and_thresholds(login, api_rule):
    client = login("reader_east")
    response = client.get("/api/audit/rules/", {"page_size": 500})
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()["results"]]
    assert "DF-01" in codes and RULE in codes
    detail = client.get(f"/api/audit/rules/{RULE}/").json()
    assert detail["version"]["enabled"] is True and detail["version"]["params"] == {"limit": "5"}
    assert detail["thresholds"] == [
        {
            "name": "limit",
            "label": "上限",
            "unit": "个",
            "value": "5",
            "default": "5",
            "minimum": "1",
            "maximum": "10",
        }
    ]
    assert len(detail["versions"]) == 1
    business = client.get("/api/audit/rules/", {"module": "business", "page_size": 500}).json()["results"]
    assert RULE in [r["code"] for r in business] and {r["module"] for r in business} == {"business"}


def test_a_rule_change_is_a_new_version_and_a_threshold_out_of_range_a_400(login, api_rule):
    url = f"/api/audit/rules/{RULE}/change/"
    admin = login("admin")
    refused = _post(admin, url, {"reason": "放宽", "params": {"limit": "11"}, "effective_from": "2025-04-10"})
    assert refused.status_code == 400
    message = " ".join(refused.json()["detail"])
    assert "10" in message and "11" in message
    for value in ("1e999999999", "NaN", "三"):
        refused = _post(
            admin, url, {"reason": "x", "params": {"limit": value}, "effective_from": "2025-04-10"}
        )
        assert refused.status_code == 400 and value in " ".join(refused.json()["detail"])
    response = _post(admin, url, {"reason": "收紧", "params": {"limit": "3"}, "effective_from": "2025-04-10"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [v["params"] for v in body["versions"]] == [{"limit": "3"}, {"limit": "5"}]
    assert body["versions"][0]["reason"] == "收紧" and body["versions"][0]["changed_by"]
    rule = AuditRule.objects.get(code=RULE)
    assert services.rule_version_on(rule, ON).params == {"limit": "3"}
    # Switching off, from another day: the version in force before is closed the day before.
    off = _post(admin, url, {"reason": "停用", "enabled": False, "effective_from": "2025-05-01"})
    assert off.status_code == 200 and off.json()["versions"][0]["enabled"] is False
    assert services.rule_version_on(rule, datetime.date(2025, 4, 30)).enabled


def test_a_rule_change_needs_manage_audit_rules(login, api_rule):
    for username in ("auditor_east", "head_east", "reader_east"):
        response = _post(
            login(username), f"/api/audit/rules/{RULE}/change/", {"reason": "x", "params": {"limit": "3"}}
        )
        assert response.status_code == 403, username
    assert AuditRule.objects.get(code=RULE).versions.count() == 1


def test_the_audit_api_is_closed_to_the_liaison(login, api_rule):
    client = login("liaison")
    for url in ("/api/audit/rules/", "/api/audit/runs/", "/api/audit/findings/"):
        assert client.get(url).status_code == 403, url


# -------------------------------------------------------------------------------------------- runs
def test_a_run_is_started_and_a_second_of_the_month_refused(login, county, api_rule):
    client = login("auditor_east")
    response = _post(client, "/api/audit/runs/", {"month": "2025-03", "rule_codes": [RULE]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["month"] == "2025-03-01" and body["status"] == RunStatus.QUEUED and body["rule_codes"] == [RULE]
    )
    again = _post(client, "/api/audit/runs/", {"month": "2025-03"})
    assert again.status_code == 400 and again.json()["detail"]
    assert AuditRun.objects.count() == 1
    assert _post(client, "/api/audit/runs/", {"month": "2025-13"}).status_code == 400
    assert _post(client, "/api/audit/runs/", {"month": "2025-04", "rule_codes": ["XX-99"]}).status_code == 400


def test_starting_a_run_needs_run_audit_and_a_themed_run_an_area_in_scope(login, county, api_rule):
    assert _post(login("reader_east"), "/api/audit/runs/", {"month": "2025-03"}).status_code == 403
    west_area = county.areas["west1"].pk
    response = _post(login("auditor_east"), "/api/audit/runs/", {"month": "2025-03", "area": west_area})
    assert response.status_code == 400 and "area" in response.json()
    assert not AuditRun.objects.exists()


def test_a_run_detail_has_each_rules_result(login, county, api_rule):
    api_rule["customers"] = [county.customers["east11"]]
    run = _run(county.users["auditor_east"], rule_codes=[RULE])
    client = login("reader_east")
    listed = client.get("/api/audit/runs/").json()["results"]
    assert [r["id"] for r in listed] == [run.pk]
    detail = client.get(f"/api/audit/runs/{run.pk}/").json()
    assert detail["status"] == RunStatus.SUCCEEDED
    assert detail["results"] == [
        {
            "code": RULE,
            "title": "接口测试规则",
            "version": detail["results"][0]["version"],
            "status": "succeeded",
            "hits": 1,
            "new_findings": 1,
            "updated_findings": 0,
            "gone_findings": 0,
            "duration_s": detail["results"][0]["duration_s"],
            "error": "",
        }
    ]


# ---------------------------------------------------------------------------------------- findings
def test_findings_are_scoped_to_the_user(login, county, found):
    def ids(username, **params):
        response = login(username).get("/api/audit/findings/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    east, west = found["east"].pk, found["west"].pk
    assert ids("admin") == {east, west}
    assert ids("auditor_east") == {east}
    assert ids("manager_east") == {east}  # area east1 is theirs
    assert ids("inspector_west") == {west}
    assert login("auditor_east").get(f"/api/audit/findings/{west}/").status_code == 404


def test_finding_filters(login, county, found):
    client = login("admin")

    def ids(**params):
        response = client.get("/api/audit/findings/", params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    east, west = found["east"].pk, found["west"].pk
    assert ids(status="assigned") == {east} and ids(status="open") == {west}
    assert ids(station=county.stations["west"].pk) == {west}
    assert ids(area=county.areas["east1"].pk) == {east}
    assert ids(module="business", theme="fees") == {east, west} and ids(module="metering") == set()
    assert ids(severity="medium") == {east, west}
    assert ids(rule=RULE) == {east, west} and ids(rule="DF-01") == set()
    assert ids(run=found["run"].pk) == {east, west} and ids(run=found["run"].pk + 1) == set()
    assert ids(month="2025-03") == {east, west} and ids(month="2025-04") == set()
    # The deadline (run day + 10) lies in the past whatever today is: both unfinished ones are overdue.
    assert ids(overdue="true") == {east, west}
    Finding.objects.filter(pk=west).update(deadline=datetime.date(2099, 1, 1))
    assert ids(overdue="true") == {east} and ids(overdue="false") == {west}
    assert client.get("/api/audit/findings/", {"month": "2025-3x"}).status_code == 400
    assert client.get("/api/audit/findings/", {"station": "99999999999"}).status_code == 400


def test_finding_detail_carries_evidence_and_events(login, found):
    body = login("auditor_east").get(f"/api/audit/findings/{found['east'].pk}/").json()
    assert body["rule"] == RULE and body["status"] == "assigned" and body["overdue"] is True
    assert body["assignee_name"] == "auditor_east" and body["evidence"] == []
    assert [e["to_status"] for e in body["events"]] == ["assigned"]


def test_the_workflow_to_closure_through_the_api(login, county, found):
    finding = found["east"]
    url = f"/api/audit/findings/{finding.pk}"
    head, reader, auditor = login("head_east"), None, None
    response = _post(head, f"{url}/assign/", {"assignee": county.users["reader_east"].pk, "note": "请核实"})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == county.users["reader_east"].pk
    # Closing before verification: the state refuses it (400 with the message).
    refused = _post(head, f"{url}/close/")
    assert refused.status_code == 400 and refused.json()["detail"]
    reader = login("reader_east")
    assert _post(reader, f"{url}/rectify/", {"resolution": ""}).status_code == 400
    response = _post(reader, f"{url}/rectify/", {"resolution": "已更正电价"})
    assert response.status_code == 200 and response.json()["status"] == "rectified"
    # The assignee does not verify their own rectification (403 with the service's message).
    refused = _post(reader, f"{url}/verify/", {"accepted": True})
    assert refused.status_code == 403 and refused.json()["detail"]
    auditor = login("auditor_east")
    assert _post(auditor, f"{url}/verify/", {"accepted": True}).json()["status"] == "verified"
    response = _post(login("head_east"), f"{url}/close/", {"note": "闭环"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["closed_at"] and body["overdue"] is False
    assert [e["to_status"] for e in body["events"]] == [
        "assigned",
        "assigned",
        "rectified",
        "verified",
        "closed",
    ]


def test_not_a_problem_is_never_approved_by_the_assignee(login, county, found):
    finding = found["east"]  # assigned to auditor_east
    url = f"/api/audit/findings/{finding.pk}"
    auditor = login("auditor_east")
    assert _post(auditor, f"{url}/dismiss-request/", {"reason": ""}).status_code == 400
    response = _post(auditor, f"{url}/dismiss-request/", {"reason": "客户类别已核实无误"})
    assert response.status_code == 200 and response.json()["status"] == FindingStatus.DISMISS_REQUESTED
    refused = _post(auditor, f"{url}/dismiss-decide/", {"approved": True})
    assert refused.status_code == 403 and refused.json()["detail"]
    # A reader may not decide at all.
    assert _post(login("reader_east"), f"{url}/dismiss-decide/", {"approved": True}).status_code == 403
    response = _post(login("head_east"), f"{url}/dismiss-decide/", {"approved": True})
    assert response.status_code == 200 and response.json()["status"] == FindingStatus.DISMISSED
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and finding.closed_at


def test_no_one_acts_on_a_finding_of_another_station(login, county, found):
    west = found["west"]
    url = f"/api/audit/findings/{west.pk}"
    auditor = login("auditor_east")
    for action, data in (
        ("assign", {"assignee": county.users["auditor_east"].pk}),
        ("rectify", {"resolution": "x"}),
        ("dismiss-request", {"reason": "x"}),
        ("close", {}),
    ):
        assert _post(auditor, f"{url}/{action}/", data).status_code == 404, action
    # Nor give a finding of one's station to another station's staff.
    response = _post(
        login("head_east"),
        f"/api/audit/findings/{found['east'].pk}/assign/",
        {"assignee": county.users["inspector_west"].pk},
    )
    assert response.status_code == 400
    west.refresh_from_db()
    assert west.status == FindingStatus.OPEN and west.assignee_id is None
    assert list(west.events.values_list("to_status", flat=True)) == ["open"]


def test_assigning_needs_run_audit_and_an_existing_assignee(login, county, found):
    url = f"/api/audit/findings/{found['east'].pk}/assign/"
    assert _post(login("reader_east"), url, {"assignee": county.users["reader_east"].pk}).status_code == 403
    assert _post(login("head_east"), url, {"assignee": 2**31 - 1}).status_code == 400
    assert _post(login("head_east"), url, {"assignee": 2**40}).status_code == 400
