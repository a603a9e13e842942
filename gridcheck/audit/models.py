"""Marketing audit (营销稽查监控): the rule library's versioned table, runs, and findings to closure.

- :class:`AuditRule` is a rule of the library (its code lives in ``gridcheck.audit.rules``); the row
  carries its description and citation as the code declares them.
- :class:`AuditRuleVersion` is the versioned table: on/off, thresholds, severity, owner role and deadline
  in force from ``effective_from`` (to ``effective_to``), who changed it and why. A run computes each rule
  under the version in force on the run's day.
- :class:`AuditRun` runs the enabled rules (all, one theme, one module, or chosen ones) for the county or
  one area; :class:`AuditRunRule` is each rule's outcome in it (hits, new and updated findings, seconds,
  the error when its query failed: the other rules still run).
- :class:`Finding` is one fact a rule found, deduplicated across runs by ``(rule, key)`` while unfinished,
  with its evidence, assignee, deadline and life (``FindingEvent``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.models import Area, Customer, Station
from gridcheck.audit.choices import (
    FINISHED,
    FindingStatus,
    Module,
    RunRuleStatus,
    RunTrigger,
    Schedule,
    Severity,
    Theme,
)
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel
from gridcheck.core.roles import Role
from gridcheck.core.runs import BackgroundRun

STEP_LABELS = {
    "queued": pgettext_lazy("background run", "Queued"),
    "rules": _("Running the rules"),
    "done": _("Done"),
}


class AuditRule(TimeStampedModel):
    """A rule of the library, as its code declares it (kept in step by ``rules_sync``)."""

    code = models.CharField(_("rule code"), max_length=20, unique=True)
    module = models.CharField(_("module"), max_length=20, choices=Module.choices, db_index=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, db_index=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=300)
    schedule = models.CharField(_("schedule"), max_length=20, choices=Schedule.choices)
    #: The thresholds the rule declares: {name: {"default", "minimum", "maximum", "unit", "label"}}.
    param_spec = models.JSONField(_("thresholds"), default=dict, blank=True)
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("The code no longer declares this rule.")
    )

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("audit rule")
        verbose_name_plural = _("audit rules")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("audit:rule_detail", args=[self.code])


class AuditRuleVersion(TimeStampedModel):
    """The rule's settings in force from ``effective_from`` to ``effective_to`` (inclusive; open-ended
    when empty). Rows of one rule never overlap: a change closes the row in force and opens a new one."""

    rule = models.ForeignKey(
        AuditRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="versions"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    severity = models.CharField(pgettext_lazy("audit", "severity"), max_length=10, choices=Severity.choices)
    owner_role = models.CharField(_("owner role"), max_length=30, choices=Role.choices)
    deadline_days = models.PositiveSmallIntegerField(_("deadline [days]"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        ordering = ["rule", "-effective_from"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [
            models.UniqueConstraint(fields=["rule", "effective_from"], name="audit_version_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.effective_from}"


class AuditRun(BackgroundRun):
    """One audit of a month: the chosen rules over the county or one area (按台区主题稽查)."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole county."),
    )
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    module = models.CharField(_("module"), max_length=20, choices=Module.choices, blank=True)
    rule_codes = models.JSONField(_("rules"), default=list, blank=True)
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=RunTrigger.choices, default=RunTrigger.ON_DEMAND
    )
    run_on = models.DateField(_("run on"), null=True, blank=True, help_text=_("The day whose rules apply."))

    STEP_LABELS = STEP_LABELS
    TASK = "gridcheck.audit.tasks.audit_run_task"
    ALREADY_ACTIVE = _("An audit run of this month is already queued or running.")

    class Meta(BackgroundRun.Meta):
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")

    def get_absolute_url(self) -> str:
        return record_url("audit:run_detail", self.pk)

    def results_url(self) -> str:
        return reverse("audit:finding_list") + f"?run={self.pk}"


class AuditRunRule(models.Model):
    """One rule's outcome in a run."""

    run = models.ForeignKey(AuditRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results")
    rule = models.ForeignKey(AuditRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        AuditRuleVersion, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=RunRuleStatus.choices)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    new_findings = models.PositiveIntegerField(_("new findings"), default=0)
    updated_findings = models.PositiveIntegerField(_("findings found again"), default=0)
    gone_findings = models.PositiveIntegerField(_("findings no longer found"), default=0)
    duration_s = models.FloatField(_("seconds"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["run", "rule__code"]
        verbose_name = _("rule result")
        verbose_name_plural = _("rule results")
        constraints = [models.UniqueConstraint(fields=["run", "rule"], name="audit_run_rule_once")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.rule_id} {self.status}"


class Finding(TimeStampedModel):
    """A fact a rule found, with its evidence, owner and deadline, worked to closure.

    Deduplicated: while unfinished, ``(rule, key)`` is unique, so a later run that finds the same fact
    updates this finding (``last_found_*``, ``times_found``, the evidence); ``present`` says whether the
    latest run covering it still found it. Module, theme and severity are copied from the rule's version
    for lists and summaries.
    """

    rule = models.ForeignKey(
        AuditRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="findings"
    )
    version = models.ForeignKey(
        AuditRuleVersion, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("fact"), max_length=200)
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    severity = models.CharField(pgettext_lazy("audit", "severity"), max_length=10, choices=Severity.choices)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    owner_role = models.CharField(_("owner role"), max_length=30, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_findings",
    )
    deadline = models.DateField(_("deadline"))
    first_run = models.ForeignKey(
        AuditRun, verbose_name=_("first found by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_run = models.ForeignKey(
        AuditRun, verbose_name=_("last found by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The audited month it was first found in."))
    last_found_at = models.DateTimeField(_("last found at"))
    times_found = models.PositiveIntegerField(_("times found"), default=1)
    present = models.BooleanField(_("still found"), default=True)
    resolution = models.TextField(_("rectification"), blank=True)
    dismiss_reason = models.TextField(_("why not a problem"), blank=True)
    dismiss_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissal asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    SCOPE_STATION = "station"
    SCOPE_AREA = "area"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"],
                condition=~Q(status__in=[str(s) for s in FINISHED]),
                name="audit_finding_one_unfinished_per_fact",
            )
        ]
        indexes = [
            models.Index(fields=["station", "status"], name="audit_finding_station_status"),
            models.Index(fields=["deadline"], name="audit_finding_deadline"),
            # The findings list, newest first: an index walk, no sort of every finding.
            models.Index(fields=["-created_at", "-id"], name="audit_finding_list"),
            models.Index(fields=["station", "-created_at", "-id"], name="audit_finding_station_list"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.summary}"

    def get_absolute_url(self) -> str:
        return record_url("audit:finding_detail", self.pk)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class FindingEvent(StateChangeEvent):
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = status_field(_("from"), FindingStatus, blank=True)
    to_status = status_field(_("to"), FindingStatus)

    subject_field = "finding"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
