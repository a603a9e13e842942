"""Viewsets of the hazards API, mounted at /api/hazards/.

Reading: staff within their scope, the government liaison (county-wide, read-only) and customer portal
users (their own customer only; anything else is a 404). Writing: ``transition`` for staff who manage
hazards, ``confirm`` for the portal user of the hazard's customer; nothing else is writable here.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcheck.core.roles import PORTAL, VIEW_HAZARDS, has_capability
from gridcheck.hazards import selectors, services
from gridcheck.hazards.api import serializers
from gridcheck.hazards.filtersets import HazardFilterSet, NoticeFilterSet
from gridcheck.hazards.models import Notice


class HazardAccess(BasePermission):
    """Reading: portal users (the role) and staff who may read hazards. Writing: decided per action (see the viewset)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if request.method in SAFE_METHODS:
            return has_capability(user, PORTAL) or has_capability(user, VIEW_HAZARDS)
        return getattr(view, "action", None) in ("transition", "confirm")


def _drf_error(error: DjangoValidationError):
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class HazardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.HazardSerializer
    permission_classes = [HazardAccess]
    filterset_class = HazardFilterSet
    ordering_fields = ["found_on", "deadline", "severity", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.hazards_for(self.request.user).prefetch_related("events__actor", "photos")

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.HazardSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move a hazard to its next status (staff who manage hazards)."""
        hazard = self.get_object()
        if not selectors.can_manage_hazards(request.user):
            raise PermissionDenied
        data = serializers.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hazard = services.hazard_transition(
                hazard=hazard,
                to_status=data.validated_data["to_status"],
                actor=request.user,
                note=data.validated_data.get("note", ""),
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(self.get_serializer(hazard).data)

    @extend_schema(request=serializers.ConfirmSerializer, responses=serializers.HazardSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A customer portal user confirms the rectification of their hazard, with photos."""
        hazard = self.get_object()
        photos = request.FILES.getlist("photos")
        try:
            hazard = services.hazard_rectification_confirm(
                hazard=hazard, user=request.user, photos=photos, note=request.data.get("note", "")
            )
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(self.get_serializer(hazard).data)


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.NoticeSerializer
    permission_classes = [HazardAccess]
    filterset_class = NoticeFilterSet

    def get_queryset(self):
        return selectors.visible(Notice.objects.all(), self.request.user)


class StatisticsSerializer(drf_serializers.Serializer):
    total = drf_serializers.IntegerField()
    open = drf_serializers.IntegerField()
    overdue = drf_serializers.IntegerField()
    major_open = drf_serializers.IntegerField()
    due_within_week = drf_serializers.IntegerField()
    by_status = drf_serializers.DictField(child=drf_serializers.IntegerField())
    by_severity = drf_serializers.DictField(child=drf_serializers.IntegerField())


class StatisticsView(APIView):
    """Hazard statistics within the user's view (the liaison's county figures)."""

    permission_classes = [HazardAccess]

    @extend_schema(responses=StatisticsSerializer)
    def get(self, request):
        counts = selectors.hazard_counts(user=request.user, today=timezone.localdate())
        return Response(
            {
                "total": counts["total"],
                "open": counts["open"],
                "overdue": counts["overdue"],
                "major_open": counts["major_open"],
                "due_within_week": counts["due_within_week"],
                "by_status": {value: n for _label, n, value in counts["by_status"]},
                "by_severity": {value: n for _label, n, value in counts["by_severity"]},
            }
        )
