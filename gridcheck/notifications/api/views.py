"""The outbox API: read-only, for the same users and with the same scope as the outbox pages."""

from rest_framework import viewsets
from rest_framework.permissions import BasePermission

from gridcheck.core.permissions import RolePermission
from gridcheck.notifications import selectors
from gridcheck.notifications.api import serializers
from gridcheck.notifications.filtersets import MessageFilterSet
from gridcheck.notifications.models import Message


class OutboxPermission(BasePermission):
    """County-level staff and station heads (``selectors.outbox_can_view``)."""

    def has_permission(self, request, view) -> bool:
        return selectors.outbox_can_view(request.user)


class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Messages of the outbox, newest first; filter by channel, status, recipient and time."""

    queryset = Message.objects.all()
    permission_classes = [RolePermission, OutboxPermission]
    filterset_class = MessageFilterSet
    ordering_fields = ["created_at", "next_attempt_at", "sent_at", "attempts"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        queryset = selectors.outbox_messages(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.select_related("related_content_type").prefetch_related(
                "attachments", "attempt_records"
            )
        else:
            queryset = queryset.select_related("related_content_type")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.MessageDetailSerializer
        return serializers.MessageSerializer
