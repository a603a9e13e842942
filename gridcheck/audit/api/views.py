"""Viewsets of the marketing audit API, mounted at /api/audit/.

Reading needs ``view_audit`` (the rule of the pages). Rules and runs are county-wide; findings are scoped
(a station's staff see their station's, an area manager their areas', county-level users all), and a
finding outside the user's scope is a 404 for reading and acting alike.

Writing:

- ``POST rules/{code}/change/``: a new version of the rule (``manage_audit_rules``); a threshold outside
  its allowed range is a 400 with the message;
- ``POST runs/``: queue an audit run (``run_audit``); a run of the month already queued or running is a
  400;
- ``POST findings/{id}/<action>/``: ``assign``, ``rectify``, ``verify``, ``close``, ``dismiss-request``,
  ``dismiss-decide`` through the services, which decide who may (the assignee rectifies and asks for
  "not a problem"; an auditor assigns, verifies, closes; someone other than the assignee and whoever
  asked decides "not a problem"). A refusal of the service is a 403 (rights, scope) or a 400 (the state,
  a missing reason) with its Chinese message.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Area
from gridcheck.audit import services
from gridcheck.audit.api import filters
from gridcheck.audit.api import serializers as s
from gridcheck.audit.models import AuditRule, AuditRuleVersion, AuditRun, Finding, FindingEvent
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import MANAGE_AUDIT_RULES, RUN_AUDIT, VIEW_AUDIT
from gridcheck.core.scoping import scope_queryset
from gridcheck.users.models import User


class AuditAccess(RolePermission):
    """Reading: ``view_audit``. Writing: the capability of the viewset's ``write_capability`` (the
    services check the rest: scope, assignee, approver)."""

    def has_permission(self, request, view) -> bool:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            view.required_capability = getattr(view, "write_capability", None)
        return super().has_permission(request, view)


def _service(call, *args, **kwargs):
    """Run a service; its refusals become the API's: ValidationError a 400, PermissionDenied a 403, each
    with the service's (Chinese) message."""
    try:
        return call(*args, **kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


# ------------------------------------------------------------------------------------------- rules
#: A threshold as a person writes it: a plain decimal number (no exponent, no "NaN"), so that no value
#: sent can make the range check's message enormous.
PLAIN_NUMBER = re.compile(r"^\s*-?\d{1,12}(?:\.\d{1,8})?\s*$")


def _plain_numbers(rule: AuditRule, params: dict) -> None:
    for name, value in params.items():
        if value not in ("", None) and not PLAIN_NUMBER.match(str(value)):
            label = (rule.param_spec or {}).get(name, {}).get("label", name)
            raise ValidationError(
                {
                    "detail": [
                        _("Threshold “%(label)s”: “%(value)s” is not a number.")
                        % {"label": label, "value": value}
                    ]
                }
            )


class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The rule library, by code: what each rule finds, its citation, the version in force today with
    its thresholds (value and allowed range); the detail carries every version."""

    queryset = AuditRule.objects.all()
    permission_classes = [AuditAccess]
    write_capability = MANAGE_AUDIT_RULES
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_\-]{1,20}"
    filterset_class = filters.RuleFilterSet
    ordering_fields = ["code", "module", "theme"]
    ordering = ["code"]

    def get_queryset(self):
        versions = AuditRuleVersion.objects.select_related("changed_by").order_by("-effective_from")
        return AuditRule.objects.prefetch_related(Prefetch("versions", queryset=versions))

    def get_serializer_class(self):
        return s.AuditRuleDetailSerializer if self.action in ("retrieve", "change") else s.AuditRuleSerializer

    @extend_schema(
        request=s.AuditRuleChangeSerializer,
        responses={200: s.AuditRuleDetailSerializer},
        summary="Change a rule (new version)",
    )
    @action(detail=True, methods=["post"])
    def change(self, request, code=None):
        """Switch the rule on or off or change its thresholds, severity, deadline or owner role from
        ``effective_from`` (default today), with the reason; recorded as a new version."""
        rule = self.get_object()
        data = s.AuditRuleChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _plain_numbers(rule, values.get("params") or {})
        _service(
            services.rule_version_change,
            rule=rule,
            user=request.user,
            effective_from=values.get("effective_from") or timezone.localdate(),
            reason=values["reason"],
            enabled=values.get("enabled"),
            params=values.get("params") or None,
            severity=values.get("severity"),
            deadline_days=values.get("deadline_days"),
            owner_role=values.get("owner_role"),
        )
        return Response(s.AuditRuleDetailSerializer(self.get_queryset().get(pk=rule.pk)).data)


# -------------------------------------------------------------------------------------------- runs
class RunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Audit runs, newest first; the detail carries each rule's result (hits, new and found-again
    findings, seconds, the error of a rule whose query failed). ``POST`` queues a run."""

    queryset = AuditRun.objects.select_related("started_by")
    permission_classes = [AuditAccess]
    write_capability = RUN_AUDIT
    filterset_class = filters.RunFilterSet
    ordering_fields = ["created_at", "month"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("results__rule")
        return queryset

    def get_serializer_class(self):
        return s.AuditRunDetailSerializer if self.action == "retrieve" else s.AuditRunSerializer

    @extend_schema(request=s.AuditRunCreateSerializer, responses={201: s.AuditRunDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.AuditRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        area = None
        if values.get("area"):
            area = scope_queryset(Area.objects.all(), request.user).filter(pk=values["area"]).first()
            if area is None:
                raise ValidationError({"area": [_("No such area in your station or areas.")]})
        run = _service(
            services.audit_run_start,
            month=values["month"],
            user=request.user,
            area=area,
            theme=values.get("theme", ""),
            module=values.get("module", ""),
            rule_codes=values.get("rule_codes") or None,
        )
        run = AuditRun.objects.select_related("started_by").prefetch_related("results__rule").get(pk=run.pk)
        return Response(s.AuditRunDetailSerializer(run).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------- findings
class FindingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Findings in the user's scope, newest first, with filters (status, module, theme, severity, station,
    area, rule, run, audited month, overdue); the detail carries the evidence (with links) and the state
    changes. The actions move a finding through its workflow."""

    queryset = Finding.objects.all()
    permission_classes = [AuditAccess]
    write_capability = VIEW_AUDIT  # the services decide who may take each step
    filterset_class = filters.FindingFilterSet
    select_related = ("rule", "station", "area", "customer", "assignee")
    ordering_fields = ["created_at", "deadline", "severity", "status", "last_found_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            events = FindingEvent.objects.select_related("actor").order_by("at", "pk")
            queryset = queryset.select_related("dismiss_requested_by").prefetch_related(
                Prefetch("events", queryset=events)
            )
        return queryset

    def get_serializer_class(self):
        return s.AuditFindingSerializer if self.action == "list" else s.AuditFindingDetailSerializer

    def _answer(self, finding: Finding) -> Response:
        return Response(s.AuditFindingDetailSerializer(self.get_queryset().get(pk=finding.pk)).data)

    def _body(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=s.FindingAssignSerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the finding to a member of staff of its station (or a county-level one)."""
        finding = self.get_object()
        values = self._body(s.FindingAssignSerializer)
        assignee = User.objects.filter(pk=values["assignee"], is_active=True).first()
        if assignee is None:
            raise ValidationError({"assignee": [_("No such active member of staff.")]})
        _service(
            services.finding_assign,
            finding=finding,
            user=request.user,
            assignee=assignee,
            note=values["note"],
        )
        return self._answer(finding)

    @extend_schema(request=s.FindingRectifySerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        """The assignee (or an auditor) reports what was put right."""
        finding = self.get_object()
        values = self._body(s.FindingRectifySerializer)
        _service(
            services.finding_rectify, finding=finding, user=request.user, resolution=values["resolution"]
        )
        return self._answer(finding)

    @extend_schema(request=s.FindingVerifySerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """An auditor other than the assignee accepts the rectification, or sends it back with a note."""
        finding = self.get_object()
        values = self._body(s.FindingVerifySerializer)
        _service(
            services.finding_verify,
            finding=finding,
            user=request.user,
            accepted=values["accepted"],
            note=values["note"],
        )
        return self._answer(finding)

    @extend_schema(request=s.FindingNoteSerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a verified finding."""
        finding = self.get_object()
        values = self._body(s.FindingNoteSerializer)
        _service(services.finding_close, finding=finding, user=request.user, note=values["note"])
        return self._answer(finding)

    @extend_schema(request=s.FindingDismissRequestSerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"], url_path="dismiss-request", url_name="dismiss-request")
    def dismiss_request(self, request, pk=None):
        """Say the finding is not a problem, with the reason (the assignee or an auditor)."""
        finding = self.get_object()
        values = self._body(s.FindingDismissRequestSerializer)
        _service(
            services.finding_dismiss_request, finding=finding, user=request.user, reason=values["reason"]
        )
        return self._answer(finding)

    @extend_schema(request=s.FindingDismissDecideSerializer, responses={200: s.AuditFindingDetailSerializer})
    @action(detail=True, methods=["post"], url_path="dismiss-decide", url_name="dismiss-decide")
    def dismiss_decide(self, request, pk=None):
        """Approve or refuse "not a problem" (never the assignee nor whoever asked)."""
        finding = self.get_object()
        values = self._body(s.FindingDismissDecideSerializer)
        _service(
            services.finding_dismiss_decide,
            finding=finding,
            user=request.user,
            approved=values["approved"],
            note=values["note"],
        )
        return self._answer(finding)


def register(router) -> None:
    router.register("rules", RuleViewSet, basename="audit-rule")
    router.register("runs", RunViewSet, basename="audit-run")
    router.register("findings", FindingViewSet, basename="audit-finding")
