"""Changing audit state: the rule table kept in step with the code, rule versions, runs, findings.

Every state change of a finding is logged (``FindingEvent``: who, when, from, to, note); a rule change is
a new version row (who, when, why), never an edit of the row in force.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcheck.archive.models import Area
from gridcheck.audit.choices import FINISHED, UNFINISHED, FindingStatus, RunRuleStatus, RunTrigger
from gridcheck.audit.engine import RuleContext, RuleDefinition
from gridcheck.audit.library import rules_load
from gridcheck.audit.models import AuditRule, AuditRuleVersion, AuditRun, AuditRunRule, Finding, FindingEvent
from gridcheck.core.events import record_transition
from gridcheck.core.periods import month_parse
from gridcheck.core.roles import (
    APPROVE_STATION,
    MANAGE_AUDIT_RULES,
    RUN_AUDIT,
    VIEW_AUDIT,
    Role,
    has_capability,
)
from gridcheck.core.rules import rule_int
from gridcheck.core.runs import run_create, run_enqueue, run_execute
from gridcheck.core.scoping import scope_queryset

logger = logging.getLogger(__name__)

#: The day the library's first versions take effect (before any data the demo or an import holds).
LIBRARY_START = datetime.date(2000, 1, 1)


def _require(user, capability: str, message: str) -> None:
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(message)


# ---------------------------------------------------------------------------------------- rule table
def rules_sync() -> int:
    """Keep ``AuditRule`` in step with the rules the code declares: new rules get a row and a first
    version (the declared defaults, in force since ``LIBRARY_START``); declared text is refreshed; rules
    no longer declared are marked retired. Returns how many rules were created."""
    definitions = rules_load()
    created = 0
    with translation.override(settings.LANGUAGE_CODE):  # data people read, whoever runs the sync
        first_version_reason = _("The library's first version of the rule")
    with transaction.atomic():
        existing = {rule.code: rule for rule in AuditRule.objects.select_for_update()}
        for code, definition in definitions.items():
            spec = {
                name: {
                    "default": format(p.default.normalize(), "f"),
                    "minimum": format(p.minimum.normalize(), "f"),
                    "maximum": format(p.maximum.normalize(), "f"),
                    "unit": p.unit,
                    "label": p.label,
                }
                for name, p in definition.params.items()
            }
            fields = {
                "module": definition.module,
                "theme": definition.theme,
                "title": definition.title,
                "description": definition.description,
                "source": definition.source,
                "schedule": definition.schedule,
                "param_spec": spec,
                "retired": False,
            }
            rule = existing.get(code)
            if rule is None:
                rule = AuditRule.objects.create(code=code, **fields)
                AuditRuleVersion.objects.create(
                    rule=rule,
                    effective_from=LIBRARY_START,
                    enabled=True,
                    params=definition.default_params(),
                    severity=definition.severity,
                    owner_role=definition.owner_role,
                    deadline_days=definition.deadline_days,
                    reason=first_version_reason,
                )
                created += 1
            elif any(getattr(rule, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(rule, name, value)
                rule.save()
        AuditRule.objects.exclude(code__in=list(definitions)).filter(retired=False).update(retired=True)
    return created


def rule_version_on(rule: AuditRule, on: datetime.date) -> AuditRuleVersion | None:
    """The version of ``rule`` in force on ``on`` (None before its first version)."""
    return (
        rule.versions.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )


#: A threshold as people write it: digits, an optional sign and decimals (no exponent, no NaN).
PLAIN_NUMBER = re.compile(r"-?\d{1,12}(\.\d{1,6})?")


def _plain(value: Decimal) -> str:
    """``value`` without trailing zeros nor an exponent: 10, 0.5, 30."""
    return format(value.normalize(), "f")


def _params_clean(rule: AuditRule, params: dict, definition_params: dict | None = None) -> dict[str, str]:
    spec = rule.param_spec
    unknown = set(params) - set(spec)
    if unknown:
        raise ValidationError(
            _("Rule %(code)s has no threshold %(names)s.")
            % {"code": rule.code, "names": ", ".join(sorted(unknown))}
        )
    cleaned = {}
    for name, allowed in spec.items():
        raw = params.get(name, None)
        if raw is None or raw == "":
            raise ValidationError(_("Threshold “%(label)s” is required.") % {"label": allowed["label"]})
        text = str(raw).strip()
        try:
            if not PLAIN_NUMBER.fullmatch(text):
                raise InvalidOperation
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("Threshold “%(label)s”: “%(value)s” is not a number.")
                % {"label": allowed["label"], "value": raw}
            ) from None
        low, high = Decimal(allowed["minimum"]), Decimal(allowed["maximum"])
        if not value.is_finite() or not low <= value <= high:
            raise ValidationError(
                _(
                    "Threshold “%(label)s” must lie between %(low)s and %(high)s %(unit)s; %(value)s is outside."
                )
                % {
                    "label": allowed["label"],
                    "low": _plain(low),
                    "high": _plain(high),
                    "unit": allowed["unit"],
                    "value": _plain(value),
                },
                code="threshold_range",
            )
        cleaned[name] = _plain(value)
    return cleaned


def rule_version_change(
    *,
    rule: AuditRule,
    user,
    effective_from: datetime.date,
    reason: str,
    enabled: bool | None = None,
    params: dict | None = None,
    severity: str | None = None,
    deadline_days: int | None = None,
    owner_role: str | None = None,
) -> AuditRuleVersion:
    """Switch ``rule`` on or off or change its thresholds (or severity, deadline, owner role) from
    ``effective_from``: the version in force then is closed the day before and a new one opens. Refused:
    a threshold outside its allowed range, no reason, a date before the version in force began, a user
    without ``manage_audit_rules``."""
    _require(user, MANAGE_AUDIT_RULES, _("Your role may not change audit rules."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the rule changes."))
    with transaction.atomic():
        AuditRule.objects.select_for_update().get(pk=rule.pk)
        current = rule_version_on(rule, effective_from)
        if current is None:
            raise ValidationError(_("The rule has no version in force on %(day)s.") % {"day": effective_from})
        later = rule.versions.filter(effective_from__gt=effective_from).exists()
        if later:
            raise ValidationError(
                _("A later change of this rule is already recorded; change it from that day.")
            )
        new = AuditRuleVersion(
            rule=rule,
            effective_from=effective_from,
            enabled=current.enabled if enabled is None else enabled,
            params=_params_clean(rule, {**current.params, **(params or {})}),
            severity=severity or current.severity,
            owner_role=owner_role or current.owner_role,
            deadline_days=current.deadline_days if deadline_days is None else deadline_days,
            changed_by=user if getattr(user, "is_authenticated", False) else None,
            reason=reason,
        )
        if new.deadline_days < 1 or new.deadline_days > 365:
            raise ValidationError(_("The deadline must lie between 1 and 365 days."))
        if new.owner_role not in Role.values or new.owner_role == Role.CUSTOMER:
            raise ValidationError(_("Choose a staff role to own the findings."))
        if current.effective_from == effective_from:
            # A second change on the same day replaces that day's version (the history keeps both:
            # the replaced row is kept closed as of the day before... a same-day row cannot be, so
            # its content moves to the reason trail).
            new.reason = f"{reason}（同日再次调整，原：{current.reason}）"[:300]
            current.delete()
        else:
            current.effective_to = effective_from - datetime.timedelta(days=1)
            current.save(update_fields=["effective_to", "updated_at"])
        new.save()
    return new


# ----------------------------------------------------------------------------------------------- runs
def _selected_rules(run: AuditRun) -> list[AuditRule]:
    rules = AuditRule.objects.filter(retired=False).order_by("code")
    if run.rule_codes:
        rules = rules.filter(code__in=run.rule_codes)
    if run.theme:
        rules = rules.filter(theme=run.theme)
    if run.module:
        rules = rules.filter(module=run.module)
    return list(rules)


def audit_run_start(
    *,
    month,
    user=None,
    area: Area | None = None,
    theme: str = "",
    module: str = "",
    rule_codes: list[str] | None = None,
    trigger: str = RunTrigger.ON_DEMAND,
    run_on: datetime.date | None = None,
    enqueue: bool = True,
) -> AuditRun:
    """Queue an audit run of ``month`` (refused while one of the month is queued or running). A themed
    run covers one area the user may see; a county run needs ``run_audit``."""
    _require(user, RUN_AUDIT, _("Your role may not start audit runs."))
    if area is not None and user is not None:
        if not scope_queryset(Area.objects.filter(pk=area.pk), user).exists():
            raise PermissionDenied(_("This area is outside your scope."))
    rules_sync()
    codes = sorted(set(rule_codes or []))
    if codes:
        known = set(AuditRule.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [code for code in codes if code not in known]
        if missing:
            raise ValidationError(_("Unknown rules: %(codes)s") % {"codes": ", ".join(missing)})
    run = run_create(
        AuditRun,
        month=month_parse(month),
        started_by=user if getattr(user, "is_authenticated", False) else None,
        area=area,
        theme=theme or "",
        module=module or "",
        rule_codes=codes,
        trigger=trigger,
        run_on=run_on or timezone.localdate(),
    )
    if enqueue:
        run_enqueue(run)
    return run


def _assignee_for(owner_role: str, station_id: int, area_id: int | None):
    from gridcheck.users.models import User

    if owner_role == Role.AREA_MANAGER and area_id is not None:
        owner_id = Area.objects.filter(pk=area_id).values_list("owner_id", flat=True).first()
        if owner_id:
            return User.objects.filter(pk=owner_id, is_active=True).first()
    return (
        User.objects.filter(role=owner_role, station_id=station_id, is_active=True)
        .order_by("username")
        .first()
    )


def _rule_apply(
    run: AuditRun, rule: AuditRule, version: AuditRuleVersion, definition: RuleDefinition
) -> dict:
    """Run one rule and write its findings; returns its counts. Raises what the rule raises."""
    area_ids = [run.area_id] if run.area_id else None
    context = RuleContext(
        on=run.run_on or timezone.localdate(),
        month=run.month,
        params={name: Decimal(value) for name, value in version.params.items()},
        area_ids=area_ids,
    )
    hits = {}
    for hit in definition.function(context):
        hits.setdefault(hit.key, hit)  # one fact once, the first evidence kept
    now = timezone.now()
    open_findings = {
        finding.key: finding
        for finding in Finding.objects.filter(rule=rule, status__in=UNFINISHED).filter(
            **({"area_id__in": area_ids} if area_ids else {})
        )
    }
    created = 0
    assignees: dict[tuple, object] = {}
    new_rows, found_again = [], []
    for key, hit in hits.items():
        evidence = [e.as_dict() for e in hit.evidence]
        finding = open_findings.pop(key, None)
        if finding is not None:
            finding.last_run, finding.last_found_at, finding.present = run, now, True
            finding.times_found += 1
            finding.summary, finding.evidence, finding.updated_at = hit.summary[:300], evidence, now
            found_again.append(finding)
            continue
        if (version.owner_role, hit.station_id, hit.area_id) not in assignees:
            assignees[(version.owner_role, hit.station_id, hit.area_id)] = _assignee_for(
                version.owner_role, hit.station_id, hit.area_id
            )
        assignee = assignees[(version.owner_role, hit.station_id, hit.area_id)]
        new_rows.append(
            Finding(
                rule=rule,
                version=version,
                key=key[:200],
                module=rule.module,
                theme=rule.theme,
                severity=version.severity,
                station_id=hit.station_id,
                area_id=hit.area_id,
                customer_id=hit.customer_id,
                summary=hit.summary[:300],
                evidence=evidence,
                status=FindingStatus.ASSIGNED if assignee else FindingStatus.OPEN,
                owner_role=version.owner_role,
                assignee=assignee,
                deadline=context.on + datetime.timedelta(days=version.deadline_days),
                first_run=run,
                last_run=run,
                month=run.month,
                last_found_at=now,
            )
        )
    Finding.objects.bulk_update(
        found_again,
        ["last_run", "last_found_at", "present", "times_found", "summary", "evidence", "updated_at"],
        batch_size=500,
    )
    updated = len(found_again)
    if new_rows:
        made = Finding.objects.bulk_create(new_rows, batch_size=1000)
        if not all(f.pk for f in made):  # databases that return no keys (none of ours today)
            made = list(Finding.objects.filter(first_run=run, rule=rule, created_at__gte=now))
        FindingEvent.objects.bulk_create(
            [
                FindingEvent(
                    finding=f,
                    from_status="",
                    to_status=f.status,
                    note=_("Found by audit run %(run)s") % {"run": run.pk}
                    + (_("; assigned to %(user)s") % {"user": str(f.assignee)} if f.assignee else ""),
                )
                for f in made
            ],
            batch_size=1000,
        )
        created = len(made)
    gone = 0
    if open_findings:
        gone = Finding.objects.filter(pk__in=[f.pk for f in open_findings.values() if f.present]).update(
            present=False, updated_at=now
        )
    return {"hits": len(hits), "new": created, "updated": updated, "gone": gone}


def audit_run_execute(run: AuditRun, *, heartbeat: bool = False, progress=None) -> AuditRun:
    """Execute a queued run: each selected, enabled rule under its version in force on the run's day,
    in its own transaction; a rule whose query fails records its error and the others still run."""
    definitions = rules_load()
    rules = _selected_rules(run)
    on = run.run_on or timezone.localdate()

    def body(step_done):
        totals = {"rules": 0, "failed": 0, "skipped": 0, "hits": 0, "new": 0, "updated": 0}
        for index, rule in enumerate(rules, start=1):
            version = rule_version_on(rule, on)
            definition = definitions.get(rule.code)
            if version is None or not version.enabled or definition is None:
                totals["skipped"] += 1
                step_done("rules", index)
                continue
            started = time.monotonic()
            try:
                with transaction.atomic():
                    counts = _rule_apply(run, rule, version, definition)
            except Exception as exc:  # noqa: BLE001 - one failing rule is recorded, the others run
                logger.exception("audit rule %s failed in run %s", rule.code, run.pk)
                AuditRunRule.objects.create(
                    run=run,
                    rule=rule,
                    version=version,
                    status=RunRuleStatus.FAILED,
                    duration_s=round(time.monotonic() - started, 3),
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
                totals["failed"] += 1
            else:
                AuditRunRule.objects.create(
                    run=run,
                    rule=rule,
                    version=version,
                    status=RunRuleStatus.SUCCEEDED,
                    hits=counts["hits"],
                    new_findings=counts["new"],
                    updated_findings=counts["updated"],
                    gone_findings=counts["gone"],
                    duration_s=round(time.monotonic() - started, 3),
                )
                totals["rules"] += 1
                totals["hits"] += counts["hits"]
                totals["new"] += counts["new"]
                totals["updated"] += counts["updated"]
            step_done("rules", index)
        return totals

    return run_execute(run, body, steps=max(len(rules), 1), heartbeat=heartbeat, progress=progress)


# ------------------------------------------------------------------------------------------- findings
def _finding_for_update(finding: Finding, user) -> Finding:
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if user is not None and not scope_queryset(Finding.objects.filter(pk=finding.pk), user).exists():
        raise PermissionDenied(_("This finding is outside your scope."))
    return locked


def _move(finding: Finding, *, to: str, user, note: str = "", fields: tuple = ()) -> Finding:
    before = finding.status
    finding.status = to
    if to in FINISHED:
        finding.closed_at = timezone.now()
    finding.save(update_fields=["status", "closed_at", "updated_at", *fields])
    record_transition(FindingEvent, finding, from_status=before, to_status=to, actor=user, note=note)
    return finding


def _expect(finding: Finding, *allowed: str) -> None:
    if finding.status not in allowed:
        raise ValidationError(
            _("The finding is %(status)s; this step is not possible now.")
            % {"status": finding.get_status_display()}
        )


def finding_assign(*, finding: Finding, user, assignee, note: str = "") -> Finding:
    """Give ``finding`` to ``assignee`` (staff of its station, or county-level staff)."""
    _require(user, RUN_AUDIT, _("Your role may not assign findings."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.OPEN, FindingStatus.ASSIGNED)
        if assignee is None or not assignee.is_active or not has_capability(assignee, VIEW_AUDIT):
            raise ValidationError(_("Choose an active staff member who can see the audit findings."))
        if assignee.station_id not in (None, finding.station_id):
            raise ValidationError(_("The assignee works at another station."))
        finding.assignee = assignee
        label = str(assignee)
        finding = _move(
            finding,
            to=FindingStatus.ASSIGNED,
            user=user,
            note=note or _("Assigned to %(user)s") % {"user": label},
            fields=("assignee",),
        )
        from gridcheck.notifications.services import notify_people

        notify_people(
            [assignee],
            subject=_("Audit finding %(code)s assigned to you") % {"code": finding.rule.code},
            body=_("%(summary)s Deadline %(deadline)s. Page: %(url)s")
            % {"summary": finding.summary, "deadline": finding.deadline, "url": finding.get_absolute_url()},
            key=f"audit:finding:{finding.pk}:assigned:{assignee.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
            related=finding,
            created_by=user,
        )
        return finding


def _is_assignee_or_auditor(finding: Finding, user) -> bool:
    return user is None or finding.assignee_id == getattr(user, "pk", None) or has_capability(user, RUN_AUDIT)


def finding_rectify(*, finding: Finding, user, resolution: str) -> Finding:
    """The assignee reports what was put right."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("Describe what was rectified."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.ASSIGNED)
        if not _is_assignee_or_auditor(finding, user):
            raise PermissionDenied(_("Only the assignee or an auditor reports the rectification."))
        finding.resolution = resolution
        finding = _move(
            finding, to=FindingStatus.RECTIFIED, user=user, note=resolution, fields=("resolution",)
        )
        _tell_verifiers(finding, user=user)
        return finding


def _tell_verifiers(finding: Finding, *, user) -> None:
    """The hand-over: the people who may verify the rectification (never its assignee) are told it waits."""
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    people = people_who_may(RUN_AUDIT, station_id=finding.station_id, exclude=[finding.assignee_id, user])
    notify_people(
        people,
        subject=_("Audit finding %(code)s rectified: waits for your verification")
        % {"code": finding.rule.code},
        body=_("%(summary)s Rectification: %(resolution)s Page: %(url)s")
        % {"summary": finding.summary, "resolution": finding.resolution, "url": finding.get_absolute_url()},
        key=f"audit:finding:{finding.pk}:rectified:{timezone.now():%Y%m%d%H%M%S%f}",
        related=finding,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        station=finding.station,
    )


def finding_verify(*, finding: Finding, user, accepted: bool, note: str = "") -> Finding:
    """An auditor (never the assignee) checks the rectification: verified, or back to the assignee."""
    _require(user, RUN_AUDIT, _("Your role may not verify findings."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.RECTIFIED)
        if user is not None and finding.assignee_id == user.pk:
            raise PermissionDenied(_("The assignee may not verify their own rectification."))
        if accepted:
            return _move(finding, to=FindingStatus.VERIFIED, user=user, note=note)
        if not (note or "").strip():
            raise ValidationError(_("Say why the rectification is not accepted."))
        return _move(finding, to=FindingStatus.ASSIGNED, user=user, note=note)


def finding_close(*, finding: Finding, user, note: str = "") -> Finding:
    _require(user, RUN_AUDIT, _("Your role may not close findings."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.VERIFIED)
        return _move(finding, to=FindingStatus.CLOSED, user=user, note=note)


def finding_dismiss_request(*, finding: Finding, user, reason: str) -> Finding:
    """Say the finding is not a problem, with the reason; someone else approves."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why this is not a problem."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.OPEN, FindingStatus.ASSIGNED)
        if not _is_assignee_or_auditor(finding, user):
            raise PermissionDenied(_("Only the assignee or an auditor may say a finding is not a problem."))
        finding.dismiss_reason = reason
        finding.dismiss_requested_by = user if getattr(user, "is_authenticated", False) else None
        return _move(
            finding,
            to=FindingStatus.DISMISS_REQUESTED,
            user=user,
            note=reason,
            fields=("dismiss_reason", "dismiss_requested_by"),
        )


def finding_dismiss_decide(*, finding: Finding, user, approved: bool, note: str = "") -> Finding:
    """Approve or refuse "not a problem": never by the finding's assignee nor by whoever asked."""
    if user is not None and not (has_capability(user, RUN_AUDIT) or has_capability(user, APPROVE_STATION)):
        raise PermissionDenied(_("Your role may not approve that a finding is not a problem."))
    with transaction.atomic():
        finding = _finding_for_update(finding, user)
        _expect(finding, FindingStatus.DISMISS_REQUESTED)
        if user is not None and user.pk in (finding.assignee_id, finding.dismiss_requested_by_id):
            raise PermissionDenied(
                _(
                    "A finding is closed as not a problem by someone other than its assignee and whoever asked."
                )
            )
        if approved:
            return _move(finding, to=FindingStatus.DISMISSED, user=user, note=note or finding.dismiss_reason)
        if not (note or "").strip():
            raise ValidationError(_("Say why the finding stays a problem."))
        back = FindingStatus.ASSIGNED if finding.assignee_id else FindingStatus.OPEN
        return _move(finding, to=back, user=user, note=note)


def findings_escalate_overdue(*, on: datetime.date | None = None) -> int:
    """Escalate the unfinished findings past their deadline, once each: a message through the outbox to
    the station head(s) of the finding's station. Returns how many findings were escalated."""
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue
    from gridcheck.users.models import User

    on = on or timezone.localdate()
    overdue = Finding.objects.filter(status__in=UNFINISHED, deadline__lt=on, escalated_at__isnull=True)
    escalated = 0
    by_station: dict[int, list[Finding]] = {}
    for finding in overdue.select_related("rule").order_by("station_id", "deadline")[:5000]:
        by_station.setdefault(finding.station_id, []).append(finding)
    for station_id, findings in by_station.items():
        heads = list(User.objects.filter(role=Role.STATION_HEAD, station_id=station_id, is_active=True))
        lines = [f"{f.rule.code} {f.summary}（期限 {f.deadline:%Y-%m-%d}）" for f in findings[:20]]
        more = len(findings) - len(lines)
        body = "\n".join(lines) + (f"\n……另有 {more} 条" if more > 0 else "")
        with transaction.atomic():
            for head in heads:
                message_enqueue(
                    channel=Channel.IN_APP,
                    recipient=head,
                    subject=_("%(n)s audit findings are overdue") % {"n": len(findings)},
                    body=body,
                    dedup_key=f"audit-overdue:{station_id}:{head.pk}:{on:%Y-%m-%d}",
                    station=findings[0].station,
                )
            Finding.objects.filter(pk__in=[f.pk for f in findings]).update(escalated_at=timezone.now())
        escalated += len(findings)
    return escalated


def audit_daily(*, on: datetime.date | None = None) -> dict:
    """The scheduled audit of the day: the nightly rules over the current month, every day; every rule
    over the last complete month on the month's audit day (station rule ``audit.monthly_run_day``); then
    the overdue findings escalated."""
    from gridcheck.audit.choices import Schedule
    from gridcheck.core.periods import month_add

    on = on or timezone.localdate()
    rules_sync()
    started = []
    nightly = list(
        AuditRule.objects.filter(retired=False, schedule=Schedule.NIGHTLY).values_list("code", flat=True)
    )
    month = on.replace(day=1)
    try:
        if on.day == rule_int("audit.monthly_run_day", on):
            run = audit_run_start(month=month_add(month, -1), trigger=RunTrigger.MONTHLY, run_on=on)
            started.append(run.pk)
        elif nightly:
            run = audit_run_start(month=month, rule_codes=nightly, trigger=RunTrigger.NIGHTLY, run_on=on)
            started.append(run.pk)
    except ValidationError as refused:  # a run of the month still queued or running: it covers today
        logger.info("scheduled audit of %s skipped: %s", on, " ".join(refused.messages))
    return {"runs": started, "escalated": findings_escalate_overdue(on=on)}


# ------------------------------------------------------------------------ findings recorded from outside
@transaction.atomic
def finding_record(
    *,
    rule_code: str,
    key: str,
    station_id: int,
    summary: str,
    user,
    area_id: int | None = None,
    customer_id: int | None = None,
    evidence: list[dict] | None = None,
    on: datetime.date | None = None,
) -> Finding:
    """Record a finding of rule ``rule_code`` found outside a rule run (e.g. by a census team, approved by
    ``user``); an unfinished finding of the same rule and key is returned as it is (idempotent). The rule
    must be declared in the library (``rules/census.py``)."""
    on = on or timezone.localdate()
    existing = Finding.objects.filter(rule__code=rule_code, key=key[:200], status__in=UNFINISHED).first()
    if existing is not None:
        return existing
    if not AuditRule.objects.filter(code=rule_code).exists():
        rules_sync()
    rule = AuditRule.objects.get(code=rule_code)
    version = rule_version_on(rule, on)
    if version is None:
        raise ValidationError(_("The audit rule %(code)s has no version in force.") % {"code": rule_code})
    assignee = _assignee_for(version.owner_role, station_id, area_id)
    finding = Finding.objects.create(
        rule=rule,
        version=version,
        key=key[:200],
        module=rule.module,
        theme=rule.theme,
        severity=version.severity,
        station_id=station_id,
        area_id=area_id,
        customer_id=customer_id,
        summary=summary[:300],
        evidence=list(evidence or []),
        status=FindingStatus.ASSIGNED if assignee else FindingStatus.OPEN,
        owner_role=version.owner_role,
        assignee=assignee,
        deadline=on + datetime.timedelta(days=version.deadline_days),
        month=on.replace(day=1),
        last_found_at=timezone.now(),
    )
    record_transition(
        FindingEvent,
        finding,
        to_status=finding.status,
        actor=user,
        note=_("Recorded by %(user)s") % {"user": str(user)},
    )
    return finding
