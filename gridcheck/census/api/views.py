"""Viewsets of the census API, mounted at /api/census/.

Reading needs ``view_census``; everything is scoped (a station's staff see their station's, an area
manager their areas', county-level users all; outside the scope a 404). Writing goes through the
services, which decide who may: ``POST records/`` (a member of the team whose areas hold the customer;
``submit`` true compares it at once), ``POST records/{id}/submit/``, ``POST discrepancies/{id}/propose/``
and ``POST discrepancies/{id}/approve/`` (``approve_station``, never the proposer). A refusal is a 403
(rights, scope) or a 400 (state, input) with its message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Customer
from gridcheck.census import selectors, services
from gridcheck.census.api import serializers as s
from gridcheck.census.choices import DiscrepancyKind, DiscrepancyStatus
from gridcheck.census.models import CensusCampaign, CensusRecord, Discrepancy
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import FIELD_WORK, VIEW_CENSUS
from gridcheck.core.scoping import scope_queryset


class CensusAccess(RolePermission):
    """Reading: ``view_census``; writing: the viewset's ``write_capability`` (services check the rest)."""

    def has_permission(self, request, view) -> bool:
        view.required_capability = VIEW_CENSUS
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            view.required_capability = getattr(view, "write_capability", VIEW_CENSUS)
        return super().has_permission(request, view)


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


class CampaignViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Census campaigns in scope, with their teams and areas; the detail adds the coverage."""

    queryset = CensusCampaign.objects.all()
    serializer_class = s.CampaignSerializer
    permission_classes = [CensusAccess]
    select_related = ("station",)
    prefetch_related = ("areas", "teams__members", "teams__areas")
    filterset_fields = ["status", "year", "quarter", "station"]
    ordering = ["-year", "-quarter", "pk"]

    def retrieve(self, request, *args, **kwargs):
        campaign = self.get_object()
        data = s.CampaignSerializer(campaign).data
        cov = selectors.coverage(campaign)
        data["coverage"] = {
            "customers": cov["customers"],
            "visited": cov["visited"],
            "percent": cov["percent"],
            "areas": [
                {
                    "area": r["area"].code,
                    "customers": r["customers"],
                    "visited": r["visited"],
                    "discrepancies": r["discrepancies"],
                }
                for r in cov["areas"]
            ],
            "owners": cov["owners"],
        }
        return Response(data)


class RecordViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Census records in scope; ``POST`` records a visit (a draft, or submitted with ``submit``)."""

    queryset = CensusRecord.objects.all()
    serializer_class = s.RecordSerializer
    permission_classes = [CensusAccess]
    write_capability = FIELD_WORK
    select_related = ("customer",)
    prefetch_related = ("photos", "discrepancies")
    filterset_fields = ["campaign", "status", "area", "team"]
    ordering = ["-visited_at", "-pk"]

    @extend_schema(request=s.RecordCreateSerializer, responses={201: s.RecordSerializer})
    def create(self, request, *args, **kwargs):
        body = s.RecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        campaign = (
            scope_queryset(CensusCampaign.objects.all(), request.user).filter(pk=values["campaign"]).first()
        )
        customer = scope_queryset(Customer.objects.all(), request.user).filter(pk=values["customer"]).first()
        if campaign is None or customer is None:
            raise ValidationError({"detail": ["No such campaign or customer in your station or areas."]})
        record = _service(
            services.record_save,
            user=request.user,
            campaign=campaign,
            customer=customer,
            data=values["data"],
            submit=values["submit"],
        )
        return Response(
            s.RecordSerializer(self.get_queryset().get(pk=record.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: s.RecordSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft record: it is compared with the archive and the last bill."""
        record = self.get_object()
        _service(services.record_submit, user=request.user, record=record)
        return Response(s.RecordSerializer(self.get_queryset().get(pk=record.pk)).data)


class DiscrepancyFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DiscrepancyKind.choices)
    status = filters.ChoiceFilter(choices=DiscrepancyStatus.choices)

    class Meta:
        model = Discrepancy
        fields = ["campaign", "kind", "status", "area", "station", "resolution"]


class DiscrepancyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Discrepancies in scope, filtered; ``propose`` what one becomes, ``approve`` (or not) the proposal."""

    queryset = Discrepancy.objects.all()
    serializer_class = s.DiscrepancySerializer
    permission_classes = [CensusAccess]
    write_capability = VIEW_CENSUS  # the services decide who may take each step
    select_related = ("customer", "campaign")
    filterset_class = DiscrepancyFilter
    ordering = ["-created_at", "-pk"]

    def _answer(self, pk) -> Response:
        return Response(s.DiscrepancySerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=s.ProposeSerializer, responses={200: s.DiscrepancySerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        discrepancy = self.get_object()
        body = s.ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        _service(
            services.discrepancy_propose,
            user=request.user,
            discrepancy=discrepancy,
            resolution=values.pop("resolution"),
            note=values.pop("note"),
            **values,
        )
        return self._answer(discrepancy.pk)

    @extend_schema(request=s.ApproveSerializer, responses={200: s.DiscrepancySerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        discrepancy = self.get_object()
        body = s.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _service(
            services.discrepancy_decide,
            user=request.user,
            discrepancy=discrepancy,
            approve=body.validated_data["approved"],
            note=body.validated_data["note"],
        )
        return self._answer(discrepancy.pk)


def register(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="census-campaign")
    router.register("records", RecordViewSet, basename="census-record")
    router.register("discrepancies", DiscrepancyViewSet, basename="census-discrepancy")
