"""Serializers of the outbox API (read-only)."""

from rest_framework import serializers

from gridcheck.notifications.models import Message, MessageAttachment, MessageAttempt


class MessageAttachmentSerializer(serializers.ModelSerializer):
    """An attachment's name, type, size and SHA-256 (not its content)."""

    class Meta:
        model = MessageAttachment
        fields = ["id", "file_name", "content_type", "size_bytes", "sha256"]


class MessageAttemptSerializer(serializers.ModelSerializer):
    """One try to send a message."""

    class Meta:
        model = MessageAttempt
        fields = ["number", "started_at", "finished_at", "outcome", "error", "provider_reference"]


class MessageSerializer(serializers.ModelSerializer):
    """A message of the outbox, for lists."""

    recipient_username = serializers.CharField(
        source="recipient_user.username", read_only=True, default=None, allow_null=True
    )
    related_type = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "recipient_user",
            "recipient_username",
            "recipient_address",
            "subject",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "sent_at",
            "dedup_key",
            "station",
            "related_type",
            "related_object_id",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_related_type(self, obj: Message) -> str | None:
        ct = obj.related_content_type
        return f"{ct.app_label}.{ct.model}" if ct is not None else None


class MessageDetailSerializer(MessageSerializer):
    """A message with its text, attachments and attempts."""

    attachments = MessageAttachmentSerializer(many=True, read_only=True)
    attempt_records = MessageAttemptSerializer(many=True, read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = [
            *MessageSerializer.Meta.fields,
            "body",
            "provider_reference",
            "attachments",
            "attempt_records",
        ]
