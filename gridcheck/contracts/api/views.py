"""Viewsets of the supply contracts API, mounted at /api/contracts/.

Reading needs ``view_contracts``; contracts are scoped (a contract outside the user's scope is a 404 for
reading and acting alike). ``POST contracts/{id}/sign/``, ``renew/``, ``terminate/`` need
``manage_contracts`` and go through the services: a refusal is a 403 (rights, scope) or a 400 (state, a
missing clause, a missing confirmation) with its message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.contracts import services
from gridcheck.contracts.api import serializers as s
from gridcheck.contracts.models import Contract, ContractEvent
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import MANAGE_CONTRACTS, VIEW_CONTRACTS


class ContractAccess(RolePermission):
    """Reading: ``view_contracts``; writing: ``manage_contracts`` (the services check scope and state)."""

    def has_permission(self, request, view) -> bool:
        view.required_capability = (
            VIEW_CONTRACTS if request.method in ("GET", "HEAD", "OPTIONS") else MANAGE_CONTRACTS
        )
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


class ContractViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The contract register in the user's scope, filtered by ``status``, ``kind``, ``station``; the
    detail carries clauses, agreements, extensions, loans, events and the linked breach cases."""

    queryset = Contract.objects.all()
    permission_classes = [ContractAccess]
    select_related = ("customer", "station")
    filterset_fields = ["status", "kind", "station"]
    ordering_fields = ["number", "valid_from", "valid_to", "status"]
    ordering = ["-valid_from", "number"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related(
                "agreements",
                "extensions",
                "loans__borrower",
                Prefetch(
                    "events", queryset=ContractEvent.objects.select_related("actor").order_by("at", "pk")
                ),
            )
        return queryset

    def get_serializer_class(self):
        return s.ContractSerializer if self.action == "list" else s.ContractDetailSerializer

    def _answer(self, contract: Contract) -> Response:
        return Response(s.ContractDetailSerializer(self.get_queryset().get(pk=contract.pk)).data)

    def _body(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=s.ContractSignSerializer, responses={200: s.ContractDetailSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign a draft (every mandatory clause of a non-standard contract filled, a longer term approved)."""
        contract = self.get_object()
        body = self._body(s.ContractSignSerializer)
        name = body["supplier_signatory_name"].strip()
        _service(
            services.contract_sign,
            contract=contract,
            user=request.user,
            signed_on=body["signed_on"],
            customer_signatory=body["customer_signatory"].strip(),
            supplier_signatory=None if name else request.user,
            supplier_signatory_name=name,
        )
        return self._answer(contract)

    @extend_schema(request=s.ContractRenewSerializer, responses={200: s.ContractDetailSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Extend a contract in force: the new end and both sides' written confirmation dates."""
        contract = self.get_object()
        body = self._body(s.ContractRenewSerializer)
        _service(services.contract_renew, contract=contract, user=request.user, **body)
        return self._answer(contract)

    @extend_schema(request=s.ContractTerminateSerializer, responses={200: s.ContractDetailSerializer})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Terminate a contract: the date and the reason."""
        contract = self.get_object()
        body = self._body(s.ContractTerminateSerializer)
        _service(services.contract_terminate, contract=contract, user=request.user, **body)
        return self._answer(contract)


def register(router) -> None:
    router.register("contracts", ContractViewSet, basename="contract")
