"""Serializers of the archive API.

Writes go through the model's own validation (``full_clean``) so that the API accepts exactly what the
forms and the import accept; the derived fields (``Customer.station``, ``Area.station``,
``MeteringPoint.multiplier``) are read-only here and set from their source.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from gridcheck.archive import services
from gridcheck.archive.models import (
    Area,
    Customer,
    ImportBatch,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)
from gridcheck.core.identifiers import IdentifierError, clean_identifier
from gridcheck.core.scoping import scope_queryset, user_can_see

AUDIT_FIELDS = ("created_at", "updated_at")


def django_errors(exc: DjangoValidationError) -> dict:
    """A model's ``full_clean`` errors as DRF field errors."""
    errors = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to the request user's scope.

    The choices offered (browsable API forms) are the objects in scope; an object that exists but lies
    outside the scope is refused with ``out_of_scope_message`` rather than "does not exist", so that a
    station user learns why a customer cannot move into another station's area.
    """

    def __init__(self, *, out_of_scope_message, **kwargs):
        self.out_of_scope_message = out_of_scope_message
        kwargs.setdefault("html_cutoff", 200)
        super().__init__(**kwargs)

    def _user(self):
        return getattr(self.context.get("request"), "user", None)

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self._user())

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            obj = self.queryset.get(pk=data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", pk_value=data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not user_can_see(self._user(), obj):
            raise serializers.ValidationError(self.out_of_scope_message)
        return obj


class IdentifierField(serializers.CharField):
    """An account number or code: normalised before any validator sees it (so that ``１２３\u200b45``
    is ``12345`` and the uniqueness check finds the existing one), and refused when characters outside
    the allowed set remain (``gridcheck.core.identifiers``)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value = clean_identifier(value)
        except IdentifierError as error:
            raise serializers.ValidationError(str(error)) from None
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class AuditedWriteSerializer(serializers.ModelSerializer):
    """Creates and updates through ``full_clean()`` and records the request user in the history.

    The model fields named in ``Meta.identifier_fields`` are :class:`IdentifierField` s.
    """

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_name in getattr(self.Meta, "identifier_fields", ()):
            field_class = IdentifierField
        return field_class, field_kwargs

    def _request_user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _derive(self, instance) -> None:
        """Set the derived fields of ``instance`` from its sources (before ``full_clean``)."""

    @transaction.atomic
    def _save(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        self._derive(instance)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors(exc)) from exc
        user = self._request_user()
        if getattr(user, "is_authenticated", False):
            # The history middleware finds the user for session logins; setting it here also covers
            # BasicAuth and any caller outside a request.
            instance._history_user = user
        instance.save()
        return instance

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class StationSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "code", "name", "company", "company_name", "address", "phone", *AUDIT_FIELDS]


class LineSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, allow_null=True)

    class Meta:
        model = Line
        fields = ["id", "code", "name", "station", "station_name", "voltage_kv", "substation", *AUDIT_FIELDS]


class AreaSerializer(AuditedWriteSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, allow_null=True)
    line_code = serializers.CharField(source="line.code", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True, default=None, allow_null=True)
    line = ScopedPrimaryKeyRelatedField(
        queryset=Line.objects.all(),
        label=_("line"),
        out_of_scope_message=_("You may not place an area on a line of another station."),
    )
    owner = ScopedPrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        label=_("area manager"),
        required=False,
        allow_null=True,
        out_of_scope_message=_("The area manager must belong to the area's station."),
    )

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "line",
            "line_code",
            "station",
            "station_name",
            "capacity_kva",
            "owner",
            "owner_name",
            "address",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["station"]
        identifier_fields = ["code"]

    def validate(self, attrs):
        line = attrs.get("line") or getattr(self.instance, "line", None)
        owner = attrs.get("owner", getattr(self.instance, "owner", None))
        if owner is not None and line is not None and owner.station_id not in (None, line.station_id):
            raise serializers.ValidationError(
                {"owner": _("The area manager must belong to the area's station.")}
            )
        moved = self.instance is not None and line is not None and line.station_id != self.instance.station_id
        if moved and self.instance.customers.exists():
            raise serializers.ValidationError(
                {"line": _("An area with customers cannot move to a line of another station.")}
            )
        return attrs

    def _derive(self, instance) -> None:
        instance.station_id = instance.line.station_id


class TariffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tariff
        fields = [
            "id",
            "code",
            "name",
            "category",
            "voltage_level",
            "price_yuan_per_kwh",
            "is_time_of_use",
            "effective_from",
            "source",
        ]


class CustomerSerializer(AuditedWriteSerializer):
    """A customer; ``station`` always follows the area."""

    area_code = serializers.CharField(source="area.code", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, allow_null=True)
    area = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        label=_("transformer area"),
        out_of_scope_message=_(
            "You may not place a customer in a transformer area outside your scope (another station)."
        ),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "account_number",
            "name",
            "address",
            "phone",
            "area",
            "area_code",
            "station",
            "station_code",
            "station_name",
            "category",
            "voltage_level",
            "contracted_capacity_kva",
            "tariff_code",
            "inspection_class",
            "is_high_risk",
            "is_important",
            "status",
            "connected_on",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["station"]
        identifier_fields = ["account_number", "tariff_code"]

    def update(self, instance, validated_data):
        """Through the same service as the customer page (``services.customer_update``)."""
        account_number = validated_data.pop("account_number", instance.account_number)
        if account_number != instance.account_number:
            raise serializers.ValidationError(
                {"account_number": _("The account number (户号) of a customer cannot be changed.")}
            )
        tariff_code = validated_data.pop("tariff_code", instance.tariff_code)
        if tariff_code != instance.tariff_code:
            raise serializers.ValidationError(
                {
                    "tariff_code": [
                        _(
                            "A customer's tariff changes only through a category change application (更改用电申请)."
                        )
                    ]
                }
            )
        try:
            return services.customer_update(customer=instance, user=self._request_user(), **validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors(exc)) from exc

    def validate_tariff_code(self, value):
        if not Tariff.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown tariff code."))
        return value

    def _derive(self, instance) -> None:
        instance.station_id = instance.area.station_id


class MeteringPointSerializer(AuditedWriteSerializer):
    """A metering point; ``multiplier`` = CT ratio x PT ratio is derived on save."""

    customer_account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        label=_("customer"),
        out_of_scope_message=_("You may not attach a metering point to a customer outside your scope."),
    )

    class Meta:
        model = MeteringPoint
        fields = [
            "id",
            "code",
            "name",
            "customer",
            "customer_account_number",
            "ct_primary_a",
            "ct_ratio",
            "pt_ratio",
            "multiplier",
            *AUDIT_FIELDS,
        ]
        read_only_fields = ["multiplier"]
        identifier_fields = ["code"]

    def _derive(self, instance) -> None:
        instance.multiplier = MeteringPoint.derive_multiplier(instance.ct_ratio, instance.pt_ratio)


class MeterSerializer(serializers.ModelSerializer):
    metering_point_code = serializers.CharField(source="metering_point.code", read_only=True)
    customer = serializers.IntegerField(source="metering_point.customer_id", read_only=True)
    current_rating = serializers.CharField(read_only=True)

    class Meta:
        model = Meter
        fields = [
            "id",
            "asset_number",
            "metering_point",
            "metering_point_code",
            "customer",
            "phase",
            "accuracy_class",
            "rated_current_a",
            "max_current_a",
            "current_rating",
            "rated_voltage_v",
            "register_digits",
            "manufacturer",
            "install_date",
            "status",
            *AUDIT_FIELDS,
        ]


class ImportBatchSerializer(serializers.ModelSerializer):
    started_by_name = serializers.CharField(
        source="started_by.__str__", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "entity",
            "file_name",
            "sha256",
            "size_bytes",
            "encoding",
            "status",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "errors",
            "started_by",
            "started_by_name",
            "station",
            "duration_s",
            "created_at",
        ]
