"""The audit pages: the rule library (and its change form), runs, the findings list with its charts and
export, a finding's page and every step of its workflow; each scoped to the user."""

import datetime
import io
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.translation import gettext

from gridcheck.audit import services
from gridcheck.audit.choices import FindingStatus, Module, Theme
from gridcheck.audit.engine import RULES, Param, audit_rule
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.core.roles import Role
from gridcheck.core.runs import RunStatus

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def tuned_rule():
    """A rule of the test only, with a threshold of range 1–10 (the library's rules may have none)."""

    @audit_rule(
        code="ZZ-09",
        module=Module.BUSINESS,
        theme=Theme.FEES,
        title="页面测试规则",
        description="测试用。",
        source="测试",
        owner_role=Role.AUDITOR,
        deadline_days=10,
        params={"limit": Param(5, 1, 10, "个", "上限")},
    )
    def never_hits(ctx):
        return iter(())

    services.rules_sync()
    yield AuditRule.objects.get(code="ZZ-09")
    RULES.pop("ZZ-09", None)


@pytest.fixture
def found(county):
    """DF-01 run over March: east11 (east station, assigned to its auditor) and west11 (west, open)."""
    for key in ("east11", "west11"):
        customer = county.customers[key]
        customer.tariff_code = "GEN-1"
        customer.save()
    run = services.audit_run_start(
        month=MONTH, user=county.users["admin"], rule_codes=["DF-01"], run_on=ON, enqueue=False
    )
    run = services.audit_run_execute(run)
    assert run.status == RunStatus.SUCCEEDED
    return {
        "run": run,
        "east": Finding.objects.get(customer=county.customers["east11"]),
        "west": Finding.objects.get(customer=county.customers["west11"]),
    }


@pytest.mark.parametrize("username", ["auditor_east", "head_east", "reader_east", "inspector_east", "admin"])
def test_every_page_renders_for_who_reads_the_audit(county, found, login, username):
    client = login(username)
    run, east = found["run"], found["east"]
    pages = [
        reverse("audit:rule_list"),
        reverse("audit:rule_list") + "?module=tariff&theme=price&schedule=nightly&enabled=yes&q=DF",
        reverse("audit:rule_detail", args=["DF-01"]),
        reverse("audit:run_list"),
        reverse("audit:run_detail", args=[run.pk]),
        reverse("audit:finding_list"),
        reverse("audit:finding_list") + f"?run={run.pk}&rule=DF-01&status=assigned&overdue=no",
        reverse("audit:finding_detail", args=[east.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    progress = client.get(reverse("audit:run_progress", args=[run.pk])).json()
    assert progress["status"] == "succeeded" and progress["results_url"].endswith(f"?run={run.pk}")


def test_liaison_and_anonymous_may_not_read_the_audit(county, found, client, login):
    assert client.get(reverse("audit:finding_list")).status_code == 302  # to the login page
    client = login("liaison")
    assert client.get(reverse("audit:finding_list")).status_code == 403
    assert client.get(reverse("audit:rule_list")).status_code == 403


def test_findings_are_scoped_to_the_station_and_the_area(county, found, login):
    west, east = found["west"], found["east"]
    client = login("auditor_east")
    assert client.get(reverse("audit:finding_detail", args=[west.pk])).status_code == 404
    listed = client.get(reverse("audit:finding_list"))
    assert [r.record.pk for r in listed.context["table"].page.object_list] == [east.pk]
    # Nor may a step be taken on it.
    response = client.post(reverse("audit:finding_close", args=[west.pk]), {"note": ""})
    assert response.status_code == 404
    # The area manager of east1 sees east11's finding; the county administrator sees both.
    assert login("manager_east").get(reverse("audit:finding_detail", args=[east.pk])).status_code == 200
    admin = login("admin")
    assert admin.get(reverse("audit:finding_detail", args=[west.pk])).status_code == 200
    listed = admin.get(reverse("audit:finding_list"))
    assert {r.record.pk for r in listed.context["table"].page.object_list} == {east.pk, west.pk}


def test_findings_list_filters_charts_and_export(county, found, login):
    client = login("admin")
    url = reverse("audit:finding_list")
    data = client.get(url).context["chart_data"]
    assert data["themes"]["values"][data["themes"]["labels"].index(str(Theme.PRICE.label))] == 2
    assert data["modules"]["values"][data["modules"]["labels"].index(str(Module.TARIFF.label))] == 2
    assert sorted(data["areas"]["labels"]) == sorted([county.areas["east1"].name, county.areas["west1"].name])
    response = client.get(url + f"?station={county.stations['east'].pk}")
    assert [r.record.pk for r in response.context["table"].page.object_list] == [found["east"].pk]
    assert response.context["chart_data"]["areas"]["labels"] == [county.areas["east1"].name]
    body = response.content.decode()
    assert 'id="gc-audit-chart-data"' in body and "<script>" not in body  # data only, no inline script

    auditor = login("auditor_east")
    mine = auditor.get(url + "?assignee=mine")
    assert [r.record.pk for r in mine.context["table"].page.object_list] == [found["east"].pk]
    Finding.objects.filter(pk=found["east"].pk).update(deadline=datetime.date(2020, 1, 1))
    overdue = auditor.get(url + "?overdue=yes")
    assert [r.record.pk for r in overdue.context["table"].page.object_list] == [found["east"].pk]
    assert 'data-overdue="1"' in overdue.content.decode()
    other_run = auditor.get(url + f"?run={found['run'].pk + 1000}")
    assert list(other_run.context["table"].page.object_list) == []

    export = auditor.get(url + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        len(rows) == 2 and rows[1][0] == "DF-01" and rows[1][6] == county.customers["east11"].account_number
    )


def test_rule_library_lists_the_version_in_force(county, tuned_rule, login):
    client = login("reader_east")
    response = client.get(reverse("audit:rule_list") + "?q=ZZ-09")
    rows = list(response.context["table"].page.object_list)
    assert [r.record.code for r in rows] == ["ZZ-09"]
    body = response.content.decode()
    assert "上限" in body and "<b>5</b>" in body
    page = client.get(reverse("audit:rule_detail", args=["ZZ-09"]))
    assert page.status_code == 200 and not page.context["can_change"]
    assert b"rule-change-form" not in page.content
    assert client.get(reverse("audit:rule_detail", args=["NO-99"])).status_code == 404


def test_rule_change_form(county, tuned_rule, login):
    url = reverse("audit:rule_change", args=["ZZ-09"])
    post = {
        "enabled": "",
        "param_limit": "12",
        "severity": "high",
        "deadline_days": "20",
        "owner_role": Role.STATION_HEAD,
        "effective_from": "2025-05-01",
        "reason": "试运行阶段收紧阈值",
    }
    # A station's auditor may not change rules.
    assert login("auditor_east").post(url, post).status_code == 403
    admin = login("admin")
    assert admin.get(reverse("audit:rule_detail", args=["ZZ-09"])).context["can_change"]
    # A threshold outside its range: refused, shown on the form, nothing recorded.
    refused = admin.post(url, post)
    assert refused.status_code == 400
    errors = refused.context["form"].non_field_errors()
    assert len(errors) == 1 and "12" in errors[0] and "10" in errors[0]
    assert 'data-testid="form-errors"' in refused.content.decode()
    assert tuned_rule.versions.count() == 1
    # Within the range: a new version from 1 May, switched off; the first one ends the day before.
    response = admin.post(url, {**post, "param_limit": "8"})
    assert response.status_code == 302
    first, second = tuned_rule.versions.order_by("effective_from")
    assert first.effective_to == datetime.date(2025, 4, 30)
    assert second.params == {"limit": "8"} and not second.enabled and second.deadline_days == 20
    assert second.changed_by == county.users["admin"] and second.owner_role == Role.STATION_HEAD
    page = admin.get(reverse("audit:rule_detail", args=["ZZ-09"]))
    assert "试运行阶段收紧阈值" in page.content.decode()
    assert len(page.context["versions"]) == 2


def test_run_start_and_a_second_run_of_the_month_is_refused(county, login):
    client = login("auditor_east")
    url = reverse("audit:run_start")
    response = client.post(url, {"month": "2025-03", "theme": "price", "module": ""})
    run = AuditRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.theme == "price" and run.area is None and run.started_by == county.users["auditor_east"]
    again = client.post(url, {"month": "2025-03"}, follow=True)
    assert AuditRun.objects.count() == 1
    assert str(AuditRun.ALREADY_ACTIVE) in _messages(again) or gettext(str(AuditRun.ALREADY_ACTIVE)) in str(
        again.content.decode()
    )
    assert again.redirect_chain[-1][0] == run.get_absolute_url()
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200 and page.context["progress"]["status"] == "queued"


def test_themed_run_of_one_area_within_the_scope(county, login):
    client = login("auditor_east")
    url = reverse("audit:run_start")
    # An area of another station is no choice of the east auditor's.
    refused = client.post(url, {"month": "2025-03", "area": county.areas["west1"].pk}, follow=True)
    assert AuditRun.objects.count() == 0 and _messages(refused)
    client.post(url, {"month": "2025-03", "area": county.areas["east1"].pk})
    run = AuditRun.objects.get()
    assert run.area == county.areas["east1"]
    services.audit_run_execute(run)
    page = client.get(run.get_absolute_url())
    assert county.areas["east1"].name in page.content.decode()
    assert page.context["results"], "each rule's result is listed"
    # A month not begun yet is refused by the form.
    future = (datetime.date.today().replace(day=1) + datetime.timedelta(days=40)).strftime("%Y-%m")
    client.post(url, {"month": future})
    assert AuditRun.objects.count() == 1
    # A reader may not start runs.
    assert login("reader_east").post(url, {"month": "2025-02"}).status_code == 403


def test_run_page_lists_each_rules_result_with_its_findings(county, found, login):
    client = login("auditor_east")
    run = found["run"]
    page = client.get(reverse("audit:run_detail", args=[run.pk]))
    results = page.context["results"]
    assert [row["result"].rule.code for row in results] == ["DF-01"]
    row = results[0]
    assert row["result"].hits == 2 and row["result"].new_findings == 2
    assert row["findings_url"].endswith(f"?run={run.pk}&rule=DF-01")
    listed = client.get(row["findings_url"])
    assert [r.record.pk for r in listed.context["table"].page.object_list] == [found["east"].pk]


def test_finding_from_assignment_to_closure(county, found, login):
    finding = found["east"]
    detail = reverse("audit:finding_detail", args=[finding.pk])
    auditor = login("auditor_east")
    page = auditor.get(detail)
    assert page.context["can_assign"] and page.context["can_rectify"] and not page.context["can_verify"]
    candidates = {u.username for u in page.context["assign_form"].fields["assignee"].queryset}
    assert {"reader_east", "head_east", "auditor_east", "admin"} <= candidates
    assert "inspector_west" not in candidates and "liaison" not in candidates
    body = page.content.decode()
    assert finding.rule.source in body and county.customers["east11"].account_number in body
    assert f'href="/archive/customers/{county.customers["east11"].pk}/"' in body  # evidence link

    # The auditor gives it to the east reader.
    response = auditor.post(
        reverse("audit:finding_assign", args=[finding.pk]), {"assignee": county.users["reader_east"].pk}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.assignee == county.users["reader_east"] and finding.status == FindingStatus.ASSIGNED

    # The reader reports the rectification; an empty one is refused with its message.
    reader = login("reader_east")
    page = reader.get(detail)
    assert page.context["can_rectify"] and not page.context["can_assign"]
    refused = reader.post(
        reverse("audit:finding_rectify", args=[finding.pk]), {"resolution": " "}, follow=True
    )
    assert _messages(refused) and FindingStatus.ASSIGNED == Finding.objects.get(pk=finding.pk).status
    reader.post(reverse("audit:finding_rectify", args=[finding.pk]), {"resolution": "已改为居民电价 RES-1"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED
    # The reader may not verify (no auditor), nor close.
    assert (
        reader.post(reverse("audit:finding_verify", args=[finding.pk]), {"decision": "accept"}).status_code
        == 403
    )
    assert reader.get(detail).context["verify_waiting"]

    # The auditor: a rejection without a note is refused (message), then accepted and closed.
    auditor = login("auditor_east")
    refused = auditor.post(
        reverse("audit:finding_verify", args=[finding.pk]), {"decision": "reject", "note": ""}, follow=True
    )
    assert refused.status_code == 200
    assert gettext("Say why the rectification is not accepted.") in _messages(refused)
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.RECTIFIED
    # Closing before verifying: not possible now.
    early = auditor.post(reverse("audit:finding_close", args=[finding.pk]), {"note": ""}, follow=True)
    assert _messages(early) and Finding.objects.get(pk=finding.pk).status == FindingStatus.RECTIFIED
    auditor.post(reverse("audit:finding_verify", args=[finding.pk]), {"decision": "accept", "note": "已核实"})
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.VERIFIED
    assert auditor.get(detail).context["can_close"]
    auditor.post(reverse("audit:finding_close", args=[finding.pk]), {"note": "闭环"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.closed_at is not None
    page = auditor.get(detail)
    events = page.context["events"]
    assert [str(e["to"]) for e in events] == [
        str(label)
        for label in (
            FindingStatus.ASSIGNED.label,
            FindingStatus.ASSIGNED.label,
            FindingStatus.RECTIFIED.label,
            FindingStatus.VERIFIED.label,
            FindingStatus.CLOSED.label,
        )
    ]
    assert "已改为居民电价 RES-1" in page.content.decode()


def test_assignee_rectifying_cannot_verify_their_own(county, found, login):
    """The east auditor is the assignee (by role): another auditor verifies; the assignee's try is a 403."""
    finding = found["east"]
    auditor = login("auditor_east")
    auditor.post(reverse("audit:finding_rectify", args=[finding.pk]), {"resolution": "已更正"})
    page = auditor.get(reverse("audit:finding_detail", args=[finding.pk]))
    assert not page.context["can_verify"] and page.context["verify_waiting"]
    response = auditor.post(reverse("audit:finding_verify", args=[finding.pk]), {"decision": "accept"})
    assert response.status_code == 403
    head = login("head_east")
    assert head.get(reverse("audit:finding_detail", args=[finding.pk])).context["can_verify"]
    head.post(reverse("audit:finding_verify", args=[finding.pk]), {"decision": "accept"})
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.VERIFIED


def test_not_a_problem_needs_someone_else(county, found, login):
    finding = found["east"]  # assigned to auditor_east
    auditor = login("auditor_east")
    refused = auditor.post(
        reverse("audit:finding_dismiss_request", args=[finding.pk]), {"reason": ""}, follow=True
    )
    assert _messages(refused)
    auditor.post(
        reverse("audit:finding_dismiss_request", args=[finding.pk]), {"reason": "该户实为商铺，类别待变更"}
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISS_REQUESTED
    page = auditor.get(reverse("audit:finding_detail", args=[finding.pk]))
    assert not page.context["can_dismiss_decide"] and page.context["dismiss_waiting"]
    # Its own assignee (who asked) may not approve: a 403.
    url = reverse("audit:finding_dismiss_decide", args=[finding.pk])
    assert auditor.post(url, {"decision": "approve"}).status_code == 403
    # A reader has no say at all.
    assert login("reader_east").post(url, {"decision": "approve"}).status_code == 403
    head = login("head_east")
    assert head.get(reverse("audit:finding_detail", args=[finding.pk])).context["can_dismiss_decide"]
    refused = head.post(url, {"decision": "refuse", "note": ""}, follow=True)
    assert gettext("Say why the finding stays a problem.") in _messages(refused)
    head.post(url, {"decision": "approve", "note": "同意"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED


def test_a_reader_not_assigned_may_not_rectify(county, found, login):
    finding = found["east"]  # assigned to auditor_east, not to the reader
    reader = login("reader_east")
    page = reader.get(reverse("audit:finding_detail", args=[finding.pk]))
    assert not page.context["can_rectify"] and not page.context["can_assign"]
    response = reader.post(reverse("audit:finding_rectify", args=[finding.pk]), {"resolution": "改了"})
    assert response.status_code == 403
    assert reader.post(reverse("audit:finding_assign", args=[finding.pk]), {}).status_code == 403


def test_chart_data_is_json_of_plain_values(county, found, login):
    page = login("admin").get(reverse("audit:finding_list"))
    body = page.content.decode()
    start = body.index('id="gc-audit-chart-data"')
    payload = body[body.index(">", start) + 1 : body.index("</script>", start)]
    data = json.loads(payload)
    assert set(data) == {"themes", "modules", "areas", "labels"}


def test_findings_charts_are_kept_a_minute_and_forgotten_after_a_write(county, found, login, settings):
    """With the list's rows kept (``GRIDCHECK_LIST_ROWS_CACHE_S``), its charts are kept with them: the same
    figures without their three group-bys, counted afresh after a write through a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, url = login("admin"), reverse("audit:finding_list")
    fresh = client.get(url).context["chart_data"]
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = 60

    def charts():
        with CaptureQueriesContext(connection) as queries:
            data = client.get(url).context["chart_data"]
        return data, sum("GROUP BY" in q["sql"] for q in queries)

    assert charts() == (fresh, 3)
    assert charts() == (fresh, 0)
    client.post(reverse("home"))  # any request that may write starts a new generation
    assert charts() == (fresh, 3)
