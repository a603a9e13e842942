"""Admin of the outbox: messages with their attachments and attempts (read-only rows)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.notifications.models import Message, MessageAttachment, MessageAttempt


class MessageAttachmentInline(admin.TabularInline):
    model = MessageAttachment
    extra = 0
    can_delete = False
    fields = ["file_name", "content_type", "size_bytes", "sha256", "file"]
    readonly_fields = fields


class MessageAttemptInline(admin.TabularInline):
    model = MessageAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "outcome", "error", "provider_reference"]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "created_at",
        "channel",
        "recipient_address",
        "recipient_user",
        "subject",
        "status",
        "attempts",
    ]
    list_filter = ["channel", "status", "station"]
    search_fields = ["recipient_address", "subject", "dedup_key", "recipient_user__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient_user", "created_by"]
    readonly_fields = [
        "attempts",
        "sent_at",
        "sending_started_at",
        "last_error",
        "provider_reference",
        "read_at",
    ]
    inlines = [MessageAttachmentInline, MessageAttemptInline]


@admin.register(MessageAttempt)
class MessageAttemptAdmin(admin.ModelAdmin):
    list_display = ["message", "number", "started_at", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["message"]
