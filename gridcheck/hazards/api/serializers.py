"""Serializers of the hazards API (read-only representations; changes go through the services)."""

from rest_framework import serializers

from gridcheck.hazards.choices import HazardStatus
from gridcheck.hazards.models import Hazard, HazardEvent, HazardPhoto, Notice


class HazardEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)
    # Plain strings (the HazardStatus values, or "" for the first event): one enum in the schema.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = HazardEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class HazardPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardPhoto
        fields = ["id", "stage", "image", "caption", "created_at"]


class HazardSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    events = HazardEventSerializer(many=True, read_only=True)
    photos = HazardPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "customer",
            "customer_name",
            "account_number",
            "station",
            "found_by_inspection_ref",
            "category",
            "severity",
            "description",
            "consequence",
            "advice",
            "found_on",
            "deadline",
            "responsible_person",
            "status",
            "rectified_on",
            "verified_on",
            "escalated_at",
            "events",
            "photos",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=HazardStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ConfirmSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class NoticeSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "period",
            "customer",
            "document_number",
            "title",
            "body",
            "channel",
            "sent_at",
            "paper_required",
            "paper_delivered_on",
            "paper_received_by",
            "note",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str | None:
        from django.urls import reverse

        return reverse("hazards:notice_pdf", args=[obj.pk]) if obj.pdf else None
