"""Serializers of the service desk API."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from gridcheck.servicedesk.choices import CampaignKind, Topic
from gridcheck.servicedesk.models import (
    Announcement,
    CampaignEvent,
    Complaint,
    Consultation,
    ConsultationEvent,
    GuidanceDocument,
    KnowledgeArticle,
    PublicityCampaign,
    TypicalCase,
)


class ConsultationEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ConsultationEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class ConsultationSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    answered_in_time = serializers.BooleanField(read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "number",
            "account_number",
            "customer_name",
            "topic",
            "subject",
            "question",
            "asked_at",
            "due_at",
            "status",
            "answer",
            "answered_at",
            "answered_in_time",
            "escalated_at",
            "rating",
            "rating_comment",
            "photos",
        ]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class ConsultationDetailSerializer(ConsultationSerializer):
    events = ConsultationEventSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "events"]


class AskSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices)
    subject = serializers.CharField(max_length=100)
    question = serializers.CharField(max_length=4000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PublishSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    question = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")


class KnowledgeArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeArticle
        fields = ["id", "topic", "title", "question", "answer", "published_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as its readers see it (the person complained about never reads it)."""

    number = serializers.CharField(read_only=True)
    about_staff = serializers.StringRelatedField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "channel",
            "subject",
            "about_staff",
            "author_name",
            "text",
            "received_at",
            "due_at",
            "status",
            "answer",
            "answered_at",
            "closed_at",
        ]


class ComplaintCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class GuidanceDocumentSerializer(serializers.ModelSerializer):
    """A guidance document with its current version."""

    version = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = GuidanceDocument
        fields = ["id", "title", "audience", "must_acknowledge", "version", "body"]

    def _current(self, obj):
        return max(obj.versions.all(), key=lambda v: v.number, default=None)

    def get_version(self, obj) -> int | None:
        current = self._current(obj)
        return current.number if current else None

    def get_body(self, obj) -> str:
        current = self._current(obj)
        return current.body if current else ""


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "kind", "reach", "title", "body", "published_at"]


class MaterialSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    quantity = serializers.IntegerField(min_value=0)


class CampaignEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = CampaignEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class PublicityCampaignSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    station = serializers.StringRelatedField()
    organiser = serializers.StringRelatedField()
    materials = MaterialSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    events = CampaignEventSerializer(many=True, read_only=True)

    class Meta:
        model = PublicityCampaign
        fields = [
            "id",
            "number",
            "station",
            "kind",
            "place",
            "held_at",
            "materials",
            "people_reached",
            "leaflets_handed_out",
            "customers_visited",
            "organiser",
            "notes",
            "status",
            "photos",
            "events",
        ]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class CampaignWriteSerializer(serializers.Serializer):
    """A new campaign or a change (``PATCH``: only the fields given); ``materials`` as a list of
    ``{"name", "quantity"}``; ``organiser`` a login of the station (default: the user)."""

    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    place = serializers.CharField(max_length=150)
    held_at = serializers.DateTimeField()
    materials = MaterialSerializer(many=True, required=False)
    people_reached = serializers.IntegerField(min_value=0, required=False)
    leaflets_handed_out = serializers.IntegerField(min_value=0, required=False)
    customers_visited = serializers.IntegerField(min_value=0, required=False)
    organiser = serializers.CharField(max_length=150, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)

    def validate_held_at(self, value):
        from gridcheck.core.periods import MAX_YEAR, MIN_YEAR

        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                _("The year must lie between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
            )
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TypicalCaseSerializer(serializers.ModelSerializer):
    """A typical case as published (anonymised); ``case`` is given to staff only (the views)."""

    station = serializers.StringRelatedField()

    class Meta:
        model = TypicalCase
        fields = [
            "id",
            "station",
            "title",
            "county",
            "month",
            "method",
            "back_bill_yuan",
            "penalty_yuan",
            "total_yuan",
            "legal_basis",
            "outcome",
            "text",
            "status",
            "published_at",
        ]
