"""Serializers of the supply contracts API: the register's rows, a contract with its clauses,
agreements, extensions, loans, breach cases and events; the bodies of the actions."""

from __future__ import annotations

from rest_framework import serializers

from gridcheck.contracts.models import (
    Contract,
    ContractAgreement,
    ContractEvent,
    ContractExtension,
    ContractFileLoan,
)

#: The choice fields are plain text in the schema (their values are the choice sets of
#: ``gridcheck.contracts.choices``), so that they do not collide with other apps' "kind" and "status".
KIND_HELP = "standard_temporary, residential_notice or non_standard"
STATUS_HELP = "draft, signed, in_force, extended, expired, terminated or superseded"


class ContractSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id", "number", "kind", "kind_display", "customer", "account_number", "customer_name",
            "station", "station_code", "status", "status_display", "signed_on", "valid_from", "valid_to",
            "capacity_kva", "tariff_code", "superseded_by",
        ]  # fmt: skip
        read_only_fields = fields


class ContractAgreementSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="dispatch, own_generation or settlement")

    class Meta:
        model = ContractAgreement
        fields = [
            "id", "kind", "number", "signed_on", "valid_from", "valid_to", "capacity_kva", "tariff_code", "content",
        ]  # fmt: skip


class ContractExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractExtension
        fields = ["id", "previous_valid_to", "new_valid_to", "supplier_confirmed_on", "customer_confirmed_on"]


class ContractLoanSerializer(serializers.ModelSerializer):
    borrower = serializers.CharField(source="borrower_display", read_only=True)

    class Meta:
        model = ContractFileLoan
        fields = ["id", "borrower", "purpose", "lent_on", "due_on", "returned_on"]


class ContractEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)
    from_status = serializers.CharField(read_only=True, help_text=STATUS_HELP + " (empty: created)")
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = ContractEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class ContractDetailSerializer(ContractSerializer):
    supplier_signatory = serializers.CharField(source="supplier_signatory_display", read_only=True)
    agreements = ContractAgreementSerializer(many=True, read_only=True)
    extensions = ContractExtensionSerializer(many=True, read_only=True)
    loans = ContractLoanSerializer(many=True, read_only=True)
    events = ContractEventSerializer(many=True, read_only=True)
    cases = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = [
            *ContractSerializer.Meta.fields,
            "supplier_signatory", "customer_signatory", "term_approved_by", "term_approved_on",
            "clause_supply", "clause_capacity_use", "clause_metering_tariff", "clause_boundary", "clause_term",
            "clause_liability", "clause_other", "theft_liability_acknowledged",
            "theft_liability_acknowledged_on", "terminated_on", "termination_reason",
            "agreements", "extensions", "loans", "events", "cases",
        ]  # fmt: skip
        read_only_fields = fields

    def get_cases(self, obj) -> list[str]:
        """The numbers of the breach (theft / violation) cases linked to the contract."""
        return [link.case.number for link in obj.case_links.select_related("case")]


class ContractSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    customer_signatory = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    supplier_signatory_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Empty: the caller signs."
    )


class ContractRenewSerializer(serializers.Serializer):
    new_valid_to = serializers.DateField()
    supplier_confirmed_on = serializers.DateField(allow_null=True)
    customer_confirmed_on = serializers.DateField(allow_null=True)


class ContractTerminateSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=1000)
