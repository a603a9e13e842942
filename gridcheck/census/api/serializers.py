"""Serializers of the census API."""

from rest_framework import serializers

from gridcheck.census.choices import Resolution
from gridcheck.census.models import CensusCampaign, CensusRecord, CensusTeam, Discrepancy


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = CensusTeam
        fields = ["id", "name", "members", "areas"]


class CampaignSerializer(serializers.ModelSerializer):
    period = serializers.CharField(read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)
    areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = CensusCampaign
        fields = [
            "id",
            "period",
            "station",
            "station_code",
            "starts_on",
            "ends_on",
            "status",
            "areas",
            "teams",
        ]


class RecordSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    photos = serializers.SerializerMethodField()
    discrepancies = serializers.SerializerMethodField()

    class Meta:
        model = CensusRecord
        fields = [
            "id",
            "campaign",
            "team",
            "customer",
            "account_number",
            "area",
            "visited_at",
            "recorded_by",
            "certificate_shown",
            "consent_given",
            "meter_asset_number_seen",
            "reading_seen_kwh",
            "seals_present",
            "seal_numbers_seen",
            "category_seen",
            "load_seen_kw",
            "capacity_seen_kva",
            "unmetered_load_kw",
            "favour_supply",
            "irregular_charge",
            "safety_checked",
            "publicity_given",
            "customer_signer",
            "notes",
            "status",
            "submitted_at",
            "photos",
            "discrepancies",
        ]

    def get_photos(self, obj) -> list[dict]:
        return [{"id": p.id, "sha256": p.sha256, "name": p.original_name} for p in obj.photos.all()]

    def get_discrepancies(self, obj) -> list[int]:
        return [d.id for d in obj.discrepancies.all()]


class RecordCreateSerializer(serializers.Serializer):
    """A census record: the campaign, the customer, what was seen (as the phone page sends it), and
    whether to submit it now (compared with the archive and the last bill) or keep it as a draft."""

    campaign = serializers.IntegerField()
    customer = serializers.IntegerField()
    submit = serializers.BooleanField(default=False)
    data = serializers.DictField(help_text="The fields seen (see services.record_save).")


class DiscrepancySerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    period = serializers.CharField(source="campaign.period", read_only=True)

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "record",
            "campaign",
            "period",
            "customer",
            "account_number",
            "station",
            "area",
            "kind",
            "detail",
            "expected",
            "seen",
            "summary",
            "status",
            "resolution",
            "proposal",
            "proposal_note",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "category_change",
            "finding",
            "case",
            "result_note",
        ]


class ProposeSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    note = serializers.CharField(max_length=2000)
    new_tariff_code = serializers.CharField(max_length=30, required=False, allow_blank=True)
    case_kind = serializers.ChoiceField(choices=["theft", "violation"], required=False)


class ApproveSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
