"""Viewsets of the temporary supply API, mounted at /api/temporary-supply/.

Reading needs ``view_contracts``; supplies are scoped (a supply outside the user's scope is a 404 for
reading and acting alike). Actions (``POST``): ``supplies/`` (apply), ``supplies/{id}/approve/``,
``reject/``, ``connect/``, ``extend/``, ``extension-decide/``, ``close/``, through the services, which
decide who may; a refusal is a 403 (rights, scope) or a 400 (the state, a limit) with its message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Area
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import VIEW_CONTRACTS
from gridcheck.core.scoping import scope_queryset
from gridcheck.temporary_supply import services
from gridcheck.temporary_supply.api import serializers as s
from gridcheck.temporary_supply.choices import ExtensionStatus
from gridcheck.temporary_supply.models import TemporarySupply, TemporarySupplyEvent


class Access(RolePermission):
    """Reading and writing: ``view_contracts``; the services check the rest (manage or approve, scope,
    the preparer never approving)."""

    def has_permission(self, request, view) -> bool:
        view.required_capability = VIEW_CONTRACTS
        return super().has_permission(request, view)


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


class SupplyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Temporary supplies in the user's scope (filters: ``status``, ``station``); the detail carries the
    events and extensions."""

    queryset = TemporarySupply.objects.all()
    permission_classes = [Access]
    select_related = ("station", "area", "customer", "contract")
    filterset_fields = ["status", "metering_mode"]
    ordering = ["-applied_on", "-pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            events = TemporarySupplyEvent.objects.select_related("actor").order_by("at", "pk")
            queryset = queryset.prefetch_related(Prefetch("events", queryset=events), "extensions")
        return queryset

    def get_serializer_class(self):
        return s.SupplySerializer if self.action == "list" else s.SupplyDetailSerializer

    def _body(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _answer(self, supply, code=status.HTTP_200_OK) -> Response:
        return Response(s.SupplyDetailSerializer(self.get_queryset().get(pk=supply.pk)).data, status=code)

    def create(self, request):
        data = self._body(s.ApplySerializer)
        area = scope_queryset(Area.objects.filter(code=data.pop("area")), request.user).first()
        if area is None:
            raise ValidationError({"area": ["No such transformer area in your scope."]})
        supply = _service(services.temporary_supply_apply, user=request.user, area=area, **data)
        return self._answer(supply, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = self._body(s.ApproveSerializer)
        supply = _service(
            services.temporary_supply_approve, user=request.user, supply=self.get_object(), **data
        )
        return self._answer(supply)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self._body(s.RejectSerializer)
        supply = _service(
            services.temporary_supply_reject, user=request.user, supply=self.get_object(), **data
        )
        return self._answer(supply)

    @action(detail=True, methods=["post"])
    def connect(self, request, pk=None):
        data = self._body(s.ConnectSerializer)
        supply = _service(
            services.temporary_supply_connect, user=request.user, supply=self.get_object(), **data
        )
        return self._answer(supply)

    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = self._body(s.ExtendSerializer)
        supply = self.get_object()
        _service(services.temporary_supply_extension_request, user=request.user, supply=supply, **data)
        return self._answer(supply)

    @action(detail=True, methods=["post"], url_path="extension-decide")
    def extension_decide(self, request, pk=None):
        data = self._body(s.ExtensionDecideSerializer)
        supply = self.get_object()
        extension = supply.extensions.filter(status=ExtensionStatus.PENDING).first()
        if extension is None:
            raise NotFound("No extension waits for a decision.")
        _service(services.temporary_supply_extension_decide, user=request.user, extension=extension, **data)
        return self._answer(supply)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self._body(s.CloseSerializer)
        supply = _service(
            services.temporary_supply_close, user=request.user, supply=self.get_object(), **data
        )
        return self._answer(supply)


def register(router) -> None:
    router.register("supplies", SupplyViewSet, basename="temporary-supply")
