"""Collection API: payments, at /api/collection/payments/.

Reading: ``view_collection`` within the user's scope. ``POST`` posts one payment through
``services.payments.payment_post`` for a user with ``collect``: the ``Idempotency-Key`` header (or the
``idempotency_key`` field) is required; a retried request with the same key returns the same payment
(200, where the first answer was 201); the same key with another customer or amount is a 400. A
service's refusal is a 400 (a bad amount, a closed month) or a 403 (scope, rights) with its message.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Customer
from gridcheck.collection.choices import PaymentChannel, PaymentKind, PaymentStatus
from gridcheck.collection.models import Payment, PaymentAllocation
from gridcheck.collection.services.payments import payment_post
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import COLLECT
from gridcheck.core.scoping import scope_queryset


class AllocationSerializer(serializers.ModelSerializer):
    bill_number = serializers.CharField(source="receivable.bill.number", read_only=True)
    due_date = serializers.DateField(source="receivable.due_date", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = [
            "receivable",
            "bill_number",
            "due_date",
            "principal_yuan",
            "late_fee_yuan",
            "late_fee_calculation",
        ]


class CollectionPaymentSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    collector = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "idempotency_key",
            "customer",
            "account_number",
            "customer_name",
            "station",
            "area",
            "kind",
            "channel",
            "amount_yuan",
            "principal_yuan",
            "late_fee_yuan",
            "credit_yuan",
            "received_at",
            "received_on",
            "collector",
            "receipt_number",
            "bank_file",
            "bank_serial",
            "status",
            "note",
        ]


class CollectionPaymentDetailSerializer(CollectionPaymentSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(CollectionPaymentSerializer.Meta):
        fields = [*CollectionPaymentSerializer.Meta.fields, "allocations"]


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField(
        help_text="The customer's id (or give account_number).", required=False
    )
    account_number = serializers.CharField(required=False)
    amount_yuan = serializers.CharField()
    channel = serializers.ChoiceField(choices=PaymentChannel.choices, default=PaymentChannel.ONLINE)
    kind = serializers.ChoiceField(choices=PaymentKind.choices, default=PaymentKind.BILLS)
    received_at = serializers.DateTimeField(required=False)
    receipt_number = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(required=False, max_length=120)
    expected_balance_yuan = serializers.CharField(required=False, allow_blank=True)


class PaymentFilterSet(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=PaymentChannel.choices, label=_("channel"))
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices, label=_("status"))
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("from"))
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("to"))

    class Meta:
        model = Payment
        fields = ["channel", "status", "customer", "collector", "station", "area", "bank_file"]


class PaymentAccess(RolePermission):
    """Reading: the section's capability; posting: ``collect``."""

    def has_permission(self, request, view) -> bool:
        if request.method == "POST":
            view.required_capability = COLLECT
        return super().has_permission(request, view)


def _drf_error(error: DjangoValidationError):
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class PaymentViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payments, newest first; the detail carries the allocations with their late-fee calculations."""

    queryset = Payment.objects.all()
    permission_classes = [PaymentAccess]
    filterset_class = PaymentFilterSet
    select_related = ("customer", "collector")
    ordering_fields = ["received_at", "amount_yuan", "number"]
    ordering = ["-received_at", "-id"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CollectionPaymentDetailSerializer
        return CollectionPaymentSerializer

    @extend_schema(
        request=PaymentCreateSerializer,
        responses={201: CollectionPaymentDetailSerializer, 200: CollectionPaymentDetailSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request, *args, **kwargs):
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = request.headers.get("Idempotency-Key") or values.get("idempotency_key") or ""
        if not key.strip():
            raise ValidationError(
                {"idempotency_key": [_("Send an Idempotency-Key header: a retry must not pay twice.")]}
            )
        customers = scope_queryset(Customer.objects.select_related("station"), request.user)
        if values.get("customer"):
            customer = customers.filter(pk=values["customer"]).first()
        elif values.get("account_number"):
            customer = customers.filter(account_number=values["account_number"].strip()).first()
        else:
            raise ValidationError({"customer": [_("Give the customer (id or account number).")]})
        if customer is None:
            raise ValidationError({"customer": [_("No such customer in your station or areas.")]})
        key = f"api:{key.strip()}"
        existed = Payment.objects.filter(idempotency_key=key).exists()
        try:
            payment = payment_post(
                user=request.user,
                customer=customer,
                amount_yuan=values["amount_yuan"],
                channel=values["channel"],
                idempotency_key=key,
                received_at=values.get("received_at"),
                receipt_number=values.get("receipt_number", ""),
                kind=values["kind"],
                note=values.get("note", ""),
                expected_balance_yuan=values.get("expected_balance_yuan") or None,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(CollectionPaymentDetailSerializer(payment).data, status=200 if existed else 201)


def register(router) -> None:
    """Add this part's viewsets to the collection router."""
    router.register("payments", PaymentViewSet, basename="collection-payment")
