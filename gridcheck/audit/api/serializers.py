"""Serializers of the marketing audit API: rules with the version in force, runs with their per-rule
results, findings with their evidence and life; the request bodies of the writing actions."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcheck.audit.choices import UNFINISHED, Module, Severity, Theme
from gridcheck.audit.models import AuditRule, AuditRuleVersion, AuditRun, AuditRunRule, Finding, FindingEvent

#: The largest id a request may name (PostgreSQL's integer).
MAX_ID = 2**31 - 1


# ------------------------------------------------------------------------------------------- rules
class AuditRuleVersionSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField(allow_null=True)
    owner_role = serializers.CharField(read_only=True, help_text="The staff role that owns the findings.")
    owner_role_display = serializers.CharField(source="get_owner_role_display", read_only=True)
    params = serializers.DictField(child=serializers.CharField(), help_text="Threshold name -> value.")

    class Meta:
        model = AuditRuleVersion
        fields = [
            "id", "effective_from", "effective_to", "enabled", "params", "severity", "owner_role",
            "owner_role_display", "deadline_days", "changed_by", "reason", "created_at",
        ]  # fmt: skip


class AuditThresholdSerializer(serializers.Serializer):
    """One threshold of a rule: its value in force, default and allowed range (inclusive)."""

    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    default = serializers.CharField()
    minimum = serializers.CharField()
    maximum = serializers.CharField()


def version_in_force(rule: AuditRule, on: datetime.date) -> AuditRuleVersion | None:
    """The version of ``rule`` in force on ``on``, read from its prefetched versions (no query)."""
    current = None
    for version in rule.versions.all():
        if version.effective_from <= on and (version.effective_to is None or version.effective_to >= on):
            if current is None or version.effective_from > current.effective_from:
                current = version
    return current


class AuditRuleSerializer(serializers.ModelSerializer):
    module_display = serializers.CharField(source="get_module_display", read_only=True)
    theme_display = serializers.CharField(source="get_theme_display", read_only=True)
    version = serializers.SerializerMethodField(help_text="The version in force today.")
    thresholds = serializers.SerializerMethodField()

    class Meta:
        model = AuditRule
        fields = [
            "code", "module", "module_display", "theme", "theme_display", "title", "description", "source",
            "schedule", "retired", "version", "thresholds",
        ]  # fmt: skip

    def _current(self, rule: AuditRule) -> AuditRuleVersion | None:
        cache = self.context.setdefault("_versions", {})
        if rule.pk not in cache:
            cache[rule.pk] = version_in_force(rule, timezone.localdate())
        return cache[rule.pk]

    @extend_schema_field(AuditRuleVersionSerializer(allow_null=True))
    def get_version(self, rule: AuditRule):
        current = self._current(rule)
        return None if current is None else AuditRuleVersionSerializer(current).data

    @extend_schema_field(AuditThresholdSerializer(many=True))
    def get_thresholds(self, rule: AuditRule) -> list[dict]:
        current = self._current(rule)
        values = current.params if current is not None else {}
        return [
            {
                "name": name,
                "label": spec.get("label", ""),
                "unit": spec.get("unit", ""),
                "value": values.get(name),
                "default": spec.get("default", ""),
                "minimum": spec.get("minimum", ""),
                "maximum": spec.get("maximum", ""),
            }
            for name, spec in (rule.param_spec or {}).items()
        ]


class AuditRuleDetailSerializer(AuditRuleSerializer):
    versions = AuditRuleVersionSerializer(many=True, read_only=True)

    class Meta(AuditRuleSerializer.Meta):
        fields = [*AuditRuleSerializer.Meta.fields, "versions"]


class AuditRuleChangeSerializer(serializers.Serializer):
    """A change of the rule from ``effective_from`` (default today): switched on or off, thresholds,
    severity, deadline or owner role; what is left out stays as in force."""

    effective_from = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=300)
    enabled = serializers.BooleanField(required=False, allow_null=True, default=None)
    params = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True), required=False, default=dict
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    deadline_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    owner_role = serializers.CharField(
        max_length=30, required=False, help_text="The staff role that owns the findings (e.g. auditor)."
    )

    def validate_effective_from(self, value):
        from gridcheck.core.periods import MAX_YEAR, MIN_YEAR

        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                _("The year must lie between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
            )
        return value


# -------------------------------------------------------------------------------------------- runs
class AuditRunRuleSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="rule.code", read_only=True)
    title = serializers.CharField(source="rule.title", read_only=True)

    class Meta:
        model = AuditRunRule
        fields = [
            "code", "title", "version", "status", "hits", "new_findings", "updated_findings", "gone_findings",
            "duration_s", "error",
        ]  # fmt: skip


class AuditRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    duration_s = serializers.FloatField(read_only=True, allow_null=True)
    started_by = serializers.StringRelatedField(allow_null=True)
    rule_codes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AuditRun
        fields = [
            "id", "month", "status", "trigger", "run_on", "area", "theme", "module", "rule_codes",
            "progress_step", "progress_done", "progress_total", "progress_percent", "started_by", "created_at",
            "started_at", "finished_at", "duration_s", "counts", "error",
        ]  # fmt: skip


class AuditRunDetailSerializer(AuditRunSerializer):
    results = AuditRunRuleSerializer(many=True, read_only=True)

    class Meta(AuditRunSerializer.Meta):
        fields = [*AuditRunSerializer.Meta.fields, "results"]


class AuditRunCreateSerializer(serializers.Serializer):
    """An audit run of ``month`` (YYYY-MM): every enabled rule, or one theme, one module or chosen
    rules; for the county or one area (按台区主题稽查)."""

    month = serializers.CharField(max_length=10, help_text="YYYY-MM")
    area = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    theme = serializers.ChoiceField(choices=Theme.choices, required=False, allow_blank=True, default="")
    module = serializers.ChoiceField(choices=Module.choices, required=False, allow_blank=True, default="")
    rule_codes = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=200
    )

    def validate_month(self, value):
        from gridcheck.core.periods import PeriodError, month_parse

        try:
            return month_parse(value)
        except PeriodError as error:
            raise serializers.ValidationError(error.messages) from None


# ---------------------------------------------------------------------------------------- findings
class AuditEvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)


class AuditFindingEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = FindingEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class AuditFindingSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_title = serializers.CharField(source="rule.title", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, default=None, allow_null=True)
    account_number = serializers.CharField(
        source="customer.account_number", read_only=True, default=None, allow_null=True
    )
    customer_name = serializers.CharField(
        source="customer.name", read_only=True, default=None, allow_null=True
    )
    assignee_name = serializers.SerializerMethodField()
    owner_role = serializers.CharField(read_only=True, help_text="The staff role that owns the finding.")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id", "rule", "rule_title", "key", "module", "theme", "severity", "station", "station_name", "area",
            "area_name", "customer", "account_number", "customer_name", "summary", "status", "status_display",
            "owner_role", "assignee", "assignee_name", "deadline", "overdue", "month", "first_run", "last_run",
            "last_found_at", "times_found", "present", "created_at", "closed_at",
        ]  # fmt: skip

    def get_assignee_name(self, finding: Finding) -> str | None:
        user = finding.assignee
        return None if user is None else (str(user))

    def get_overdue(self, finding: Finding) -> bool:
        return finding.status in UNFINISHED and finding.deadline < timezone.localdate()


class AuditFindingDetailSerializer(AuditFindingSerializer):
    evidence = AuditEvidenceSerializer(many=True, read_only=True)
    dismiss_requested_by = serializers.StringRelatedField(allow_null=True)
    events = AuditFindingEventSerializer(many=True, read_only=True)

    class Meta(AuditFindingSerializer.Meta):
        fields = [
            *AuditFindingSerializer.Meta.fields, "evidence", "resolution", "dismiss_reason", "dismiss_requested_by",
            "escalated_at", "events",
        ]  # fmt: skip


class FindingAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The user's id.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class FindingRectifySerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000, help_text="What was put right.")


class FindingVerifySerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class FindingNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class FindingDismissRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="Why the finding is not a problem.")


class FindingDismissDecideSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
