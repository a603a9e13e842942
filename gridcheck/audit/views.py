"""Marketing audit pages: the rule library (and its change form), runs with their progress, the findings
list with its charts, and a finding's page with the steps of its workflow.

Reading needs ``view_audit`` (``AccessMiddleware``, and each view again); starting runs and the steps of
auditors need ``run_audit``; changing a rule ``manage_audit_rules``. Findings are scoped to the user (a
finding outside the scope is a 404). Views stay thin: reading through ``selectors``, every change through
``services``, whose refusals show as messages (a step not possible now) or a 403 page (a step the user
may never take).
"""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView, View

from gridcheck.audit import selectors, services
from gridcheck.audit.choices import FindingStatus
from gridcheck.audit.filtersets import AuditRuleFilterSet, AuditRunFilterSet, FindingFilterSet
from gridcheck.audit.forms import (
    AssignForm,
    DismissDecideForm,
    DismissRequestForm,
    NoteForm,
    RectifyForm,
    RuleChangeForm,
    RunStartForm,
    VerifyForm,
)
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.audit.tables import (
    AuditRuleTable,
    AuditRunTable,
    FindingTable,
    enabled_badge,
    finding_status_badge,
    run_coverage,
    run_status_badge,
    severity_badge,
)
from gridcheck.core import pagecache
from gridcheck.core.generic import ScopedListView, ScopedPage
from gridcheck.core.roles import (
    APPROVE_STATION,
    MANAGE_AUDIT_RULES,
    RUN_AUDIT,
    VIEW_AUDIT,
    Role,
    has_capability,
)
from gridcheck.core.run_views import RunDetailView, RunProgressView
from gridcheck.core.runs import runs_active

#: Findings exported to XLSX at most [rows].
EXPORT_MAX = 100_000
ROLE_LABELS = dict(Role.choices)


class AuditPage(ScopedPage):
    required_capability = VIEW_AUDIT


def _show_refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ------------------------------------------------------------------------------------ rule library
class RuleListView(ScopedListView):
    """The rule library: each rule with its version in force today."""

    required_capability = VIEW_AUDIT
    model = AuditRule
    template_name = "audit/rule_list.html"
    filterset_class = AuditRuleFilterSet
    table_class = AuditRuleTable
    title = gettext_lazy("Audit rule library")
    search_placeholder = gettext_lazy("Search by rule code or title")

    def get_base_queryset(self):
        return selectors.rules_with_version(timezone.localdate()).order_by("code")


class RuleDetailView(AuditPage, TemplateView):
    """A rule: description, citation, thresholds with their ranges, its versions, its latest results,
    and the change form for those who may change rules."""

    template_name = "audit/rule_detail.html"
    form = None

    def rule(self) -> AuditRule:
        if not hasattr(self, "_rule"):
            self._rule = get_object_or_404(AuditRule, code=self.kwargs["code"])
        return self._rule

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rule, user, today = self.rule(), self.request.user, timezone.localdate()
        version = services.rule_version_on(rule, today)
        can_change = has_capability(user, MANAGE_AUDIT_RULES) and not rule.retired
        if can_change and self.form is None:
            self.form = RuleChangeForm(rule=rule, version=version)
        results = selectors.rule_recent_results(rule)
        ctx.update(
            rule=rule,
            version=version,
            enabled_badge=enabled_badge(bool(version and version.enabled)),
            severity_badge=severity_badge(version.severity if version else ""),
            owner_role_label=ROLE_LABELS.get(version.owner_role, "") if version else "",
            thresholds=selectors.thresholds(rule.param_spec, version.params if version else None),
            versions=[
                {
                    "version": v,
                    "thresholds": selectors.thresholds(rule.param_spec, v.params),
                    "owner_role": ROLE_LABELS.get(v.owner_role, v.owner_role),
                    "severity": severity_badge(v.severity),
                    "enabled": enabled_badge(v.enabled),
                    "current": version is not None and v.pk == version.pk,
                }
                for v in selectors.rule_versions(rule)
            ],
            results=[
                {
                    "result": r,
                    "run": r.run,
                    "coverage": run_coverage(r.run),
                    "findings_url": reverse("audit:finding_list") + f"?run={r.run_id}&rule={rule.code}",
                }
                for r in results
            ],
            open_findings_url=reverse("audit:finding_list") + f"?rule={rule.code}",
            can_change=can_change,
            form=self.form,
        )
        return ctx


class RuleChangeView(RuleDetailView):
    """POST: a new version of the rule (``services.rule_version_change``); refusals show on the form."""

    action_capability = MANAGE_AUDIT_RULES
    http_method_names = ["post"]

    def post(self, request, code):
        rule = self.rule()
        version = services.rule_version_on(rule, timezone.localdate())
        self.form = RuleChangeForm(request.POST, rule=rule, version=version)
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                services.rule_version_change(
                    rule=rule,
                    user=request.user,
                    effective_from=data["effective_from"],
                    reason=data["reason"],
                    enabled=data["enabled"],
                    params=self.form.params(),
                    severity=data["severity"],
                    deadline_days=data["deadline_days"],
                    owner_role=data["owner_role"],
                )
            except ValidationError as error:
                for message in error.messages:
                    self.form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Rule %(code)s changed from %(day)s.")
                    % {"code": rule.code, "day": f"{data['effective_from']:%Y-%m-%d}"},
                )
                return redirect(rule)
        return self.render_to_response(self.get_context_data(), status=400)


# -------------------------------------------------------------------------------------------- runs
class RunListView(ScopedListView):
    """Audit runs, newest first, with the start form for those who may start one."""

    required_capability = VIEW_AUDIT
    model = AuditRun
    template_name = "audit/run_list.html"
    filterset_class = AuditRunFilterSet
    table_class = AuditRunTable
    title = gettext_lazy("Audit runs")
    search_placeholder = gettext_lazy("Search by run number or area")

    def get_base_queryset(self):
        return AuditRun.objects.select_related("area", "started_by").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        can_run = has_capability(self.request.user, RUN_AUDIT)
        ctx.update(
            can_run=can_run,
            run_form=RunStartForm(
                areas=selectors.run_areas(self.request.user),
                initial={"month": f"{timezone.localdate():%Y-%m}"},
            )
            if can_run
            else None,
        )
        return ctx


class RunStartView(AuditPage, View):
    """POST: queue an audit run (``services.audit_run_start``) and show its page; a month with a run
    queued or running is refused with its message and the running one is shown."""

    action_capability = RUN_AUDIT

    def post(self, request):
        form = RunStartForm(request.POST, areas=selectors.run_areas(request.user))
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}：{error}" if label else error)
            return redirect("audit:run_list")
        data = form.cleaned_data
        try:
            run = services.audit_run_start(
                month=data["month"],
                user=request.user,
                area=data["area"],
                theme=data["theme"],
                module=data["module"],
            )
        except ValidationError as error:
            _show_refusal(request, error)
            running = runs_active(AuditRun).filter(month=data["month"]).first()
            return redirect(running) if running else redirect("audit:run_list")
        messages.success(request, _("Audit run of %(month)s started.") % {"month": f"{run.month:%Y-%m}"})
        return redirect(run)


class AuditRunDetailView(RunDetailView):
    """A run: the progress bar of the core run page, then each rule's result with its findings."""

    required_capability = VIEW_AUDIT
    model = AuditRun
    template_name = "audit/run_detail.html"
    extra_context = {"run_list_url": reverse_lazy("audit:run_list")}

    def get_queryset(self):
        return super().get_queryset().select_related("area", "started_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = self.object
        findings = reverse("audit:finding_list")
        ctx.update(
            progress_url=reverse("audit:run_progress", args=[run.pk]),
            coverage=run_coverage(run),
            status_badge=run_status_badge(run.status, run.get_status_display()),
            results=[
                {"result": r, "findings_url": f"{findings}?run={run.pk}&rule={r.rule.code}"}
                for r in selectors.run_results(run)
            ],
        )
        return ctx


class AuditRunProgressView(RunProgressView):
    required_capability = VIEW_AUDIT
    model = AuditRun


# ---------------------------------------------------------------------------------------- findings
class FindingListView(ScopedListView):
    """Findings within the user's scope, filtered, with charts of the filtered ones by theme, module and
    area; XLSX export of the filtered list."""

    required_capability = VIEW_AUDIT
    model = Finding
    template_name = "audit/finding_list.html"
    filterset_class = FindingFilterSet
    table_class = FindingTable
    hidden_filters = ("run",)
    export_entity = "audit_findings"  # written here (``export``), not a registered entity
    title = gettext_lazy("Audit findings")
    search_placeholder = gettext_lazy("Search by summary, rule code, account number or name")

    def get_base_queryset(self):
        return selectors.findings_for_list().order_by("-created_at", "-pk")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_queryset())
            valid = not filterset.is_bound or filterset.is_valid()
            return self.export(filterset.qs if valid else filterset.qs.none())
        return super().get(request, *args, **kwargs)

    def export(self, queryset):
        return findings_xlsx(queryset[:EXPORT_MAX], f"{self.get_title()}-{timezone.localdate():%Y%m%d}.xlsx")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = None
        value = self.request.GET.get("run", "")
        if value.isdigit() and len(value) < 12:
            run = AuditRun.objects.filter(pk=int(value)).first()
        ctx.update(
            run=run,
            chart_data={
                # kept a minute per list (core.pagecache): three group-bys over the findings listed
                **pagecache.kept_for_query(
                    "audit:findings-chart", self.queryset, lambda: selectors.findings_chart(self.queryset)
                ),
                "labels": {
                    "findings": _("Number of findings"),
                    "theme": _("By theme"),
                    "module": _("By module"),
                    "area": _("By transformer area (top 10)"),
                    "empty": _("No findings."),
                },
            },
        )
        return ctx


def _finding(request, pk) -> Finding:
    finding = selectors.finding_for_page(request.user, pk)
    if finding is None:
        raise Http404(_("Not found."))
    return finding


class FindingDetailView(AuditPage, TemplateView):
    """A finding: summary, rule and citation, status, assignee, deadline, runs, evidence, the event log,
    and the steps the user may take now."""

    template_name = "audit/finding_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        finding = _finding(self.request, self.kwargs["pk"])
        status = finding.status
        auditor = has_capability(user, RUN_AUDIT)
        is_assignee = finding.assignee_id == user.pk
        may_work = auditor or is_assignee
        can_assign = auditor and status in (FindingStatus.OPEN, FindingStatus.ASSIGNED)
        ctx.update(
            finding=finding,
            rule=finding.rule,
            status_badge=finding_status_badge(status, finding.get_status_display()),
            severity_badge=severity_badge(finding.severity),
            overdue=not finding.is_finished and finding.deadline < timezone.localdate(),
            owner_role_label=ROLE_LABELS.get(finding.owner_role, finding.owner_role),
            evidence=[
                {"label": e.get("label", ""), "value": e.get("value", ""), "url": _safe_url(e.get("url", ""))}
                for e in (finding.evidence or [])
                if isinstance(e, dict)
            ],
            events=[
                {
                    "at": e.at,
                    "actor": e.actor,
                    "from": e.get_from_status_display() if e.from_status else "",
                    "to": e.get_to_status_display(),
                    "note": e.note,
                }
                for e in selectors.finding_events(finding)
            ],
            is_assignee=is_assignee,
            can_assign=can_assign,
            assign_form=AssignForm(candidates=selectors.assignee_candidates(finding)) if can_assign else None,
            can_rectify=may_work and status == FindingStatus.ASSIGNED,
            rectify_form=RectifyForm(),
            can_verify=auditor and status == FindingStatus.RECTIFIED and not is_assignee,
            verify_waiting=status == FindingStatus.RECTIFIED and not (auditor and not is_assignee),
            verify_form=VerifyForm(),
            can_close=auditor and status == FindingStatus.VERIFIED,
            close_form=NoteForm(),
            can_dismiss_request=may_work and status in (FindingStatus.OPEN, FindingStatus.ASSIGNED),
            dismiss_request_form=DismissRequestForm(),
            can_dismiss_decide=status == FindingStatus.DISMISS_REQUESTED
            and (auditor or has_capability(user, APPROVE_STATION))
            and user.pk not in (finding.assignee_id, finding.dismiss_requested_by_id),
            dismiss_waiting=status == FindingStatus.DISMISS_REQUESTED,
            dismiss_decide_form=DismissDecideForm(),
        )
        return ctx


def _safe_url(url: str) -> str:
    """An evidence link only when it is a path of this site (never ``javascript:`` or another host)."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith("//") else ""


class FindingStepView(AuditPage, View):
    """POST one step on a finding: ``step(request, finding, data)``; a step not possible now (or a form
    not filled in) shows its message on the finding's page; a step the user may never take is a 403."""

    form_class = None
    done_message = ""

    def post(self, request, pk):
        finding = _finding(request, pk)
        form = self.form_class(request.POST, **self.form_kwargs(finding))
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}：{error}" if label else error)
            return redirect(finding)
        try:
            self.step(request, finding, form.cleaned_data)
        except ValidationError as error:
            _show_refusal(request, error)
            return redirect(finding)
        except PermissionDenied:
            raise
        messages.success(request, self.message(form.cleaned_data))
        return redirect(finding)

    def form_kwargs(self, finding) -> dict:
        return {}

    def step(self, request, finding, data) -> None:
        raise NotImplementedError

    def message(self, data) -> str:
        return str(self.done_message)


class FindingAssignView(FindingStepView):
    action_capability = RUN_AUDIT
    form_class = AssignForm
    done_message = gettext_lazy("The finding is assigned.")

    def form_kwargs(self, finding):
        return {"candidates": selectors.assignee_candidates(finding)}

    def step(self, request, finding, data):
        services.finding_assign(
            finding=finding, user=request.user, assignee=data["assignee"], note=data["note"]
        )


class FindingRectifyView(FindingStepView):
    form_class = RectifyForm
    done_message = gettext_lazy("The rectification is reported; an auditor verifies it.")

    def step(self, request, finding, data):
        services.finding_rectify(finding=finding, user=request.user, resolution=data["resolution"])


class FindingVerifyView(FindingStepView):
    action_capability = RUN_AUDIT
    form_class = VerifyForm

    def step(self, request, finding, data):
        services.finding_verify(
            finding=finding, user=request.user, accepted=data["decision"] == "accept", note=data["note"]
        )

    def message(self, data):
        if data["decision"] == "accept":
            return _("The rectification is verified.")
        return _("The rectification is not accepted: the finding goes back to its assignee.")


class FindingCloseView(FindingStepView):
    action_capability = RUN_AUDIT
    form_class = NoteForm
    done_message = gettext_lazy("The finding is closed.")

    def step(self, request, finding, data):
        services.finding_close(finding=finding, user=request.user, note=data["note"])


class FindingDismissRequestView(FindingStepView):
    form_class = DismissRequestForm
    done_message = gettext_lazy("Asked to close the finding as not a problem; someone else decides.")

    def step(self, request, finding, data):
        services.finding_dismiss_request(finding=finding, user=request.user, reason=data["reason"])


class FindingDismissDecideView(FindingStepView):
    action_capabilities = (RUN_AUDIT, APPROVE_STATION)
    form_class = DismissDecideForm

    def step(self, request, finding, data):
        services.finding_dismiss_decide(
            finding=finding, user=request.user, approved=data["decision"] == "approve", note=data["note"]
        )

    def message(self, data):
        if data["decision"] == "approve":
            return _("Closed as not a problem.")
        return _("The finding stays a problem.")


def findings_xlsx(queryset, filename: str) -> HttpResponse:
    """The findings of ``queryset`` as one sheet; text a spreadsheet would read as a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from gridcheck.core.exports import FORMULA_TRIGGERS, XLSX_CONTENT_TYPE

    header = [
        _("rule code"),
        _("rule"),
        _("module"),
        _("theme"),
        pgettext("finding", "severity"),
        _("summary"),
        _("account number"),
        _("customer"),
        _("station"),
        _("transformer area"),
        _("status"),
        _("assignee"),
        _("deadline"),
        _("overdue"),
        _("times found"),
        _("still found"),
        _("first found on"),
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Audit findings"))[:31])
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    today = timezone.localdate()
    yes, no = _("Yes"), _("No")
    for f in queryset.select_related("rule", "customer", "station", "area", "assignee").iterator(
        chunk_size=2000
    ):
        row = [
            f.rule.code,
            f.rule.title,
            f.get_module_display(),
            f.get_theme_display(),
            f.get_severity_display(),
            f.summary,
            f.customer.account_number if f.customer_id else "",
            f.customer.name if f.customer_id else "",
            f.station.name,
            f.area.name if f.area_id else "",
            f.get_status_display(),
            (str(f.assignee)) if f.assignee_id else "",
            f.deadline,
            yes if (not f.is_finished and f.deadline < today) else no,
            f.times_found,
            yes if f.present else no,
            timezone.localdate(f.created_at),
        ]
        out = []
        for value in row:
            value = str(value) if not isinstance(value, (int, datetime.date)) else value
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
