"""Pages of the outbox (staff: every message sent, with its attempts) and of the personal inbox."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView, ListView

from gridcheck.core.generic import ScopedListView, history_entries
from gridcheck.core.roles import VIEW_OUTBOX
from gridcheck.core.uploads import upload_response
from gridcheck.notifications import selectors, services
from gridcheck.notifications.choices import Channel, MessageStatus
from gridcheck.notifications.filtersets import OutboxPageFilterSet
from gridcheck.notifications.models import Message, MessageAttachment
from gridcheck.notifications.tables import OutboxTable


class OutboxAccessMixin(LoginRequiredMixin):
    """County-level staff and station heads only (see ``selectors.outbox_can_view``); others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not selectors.outbox_can_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OutboxListView(OutboxAccessMixin, ScopedListView):
    """Every message the user may see, newest first, filtered by channel and status."""

    required_capability = VIEW_OUTBOX
    model = Message
    template_name = "notifications/outbox_list.html"
    filterset_class = OutboxPageFilterSet
    table_class = OutboxTable
    title = gettext_lazy("Outbox")
    search_placeholder = gettext_lazy("Recipient or subject")

    def get_queryset(self):
        return selectors.outbox_messages(user=self.request.user)  # scoped, newest first

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            outbox=[row.record for row in self.table.paginated_rows],  # the messages of this page
            status_options=MessageStatus.choices,
            status_counts=selectors.outbox_status_counts(user=self.request.user),
        )
        return ctx


class OutboxDetailView(OutboxAccessMixin, DetailView):
    """One message: recipient, text, attachments, every attempt and every status change."""

    template_name = "notifications/message_detail.html"
    context_object_name = "message_obj"

    def get_queryset(self):
        return selectors.outbox_messages(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx.update(
            attempts=obj.attempt_records.order_by("number", "pk"),
            attachment_list=obj.attachments.all(),
            history=history_entries(obj),
            can_change=selectors.outbox_can_change(self.request.user),
        )
        return ctx


class _OutboxActionView(OutboxAccessMixin, View):
    """A POST button of the message page (retry or cancel); needs the ``change`` capability."""

    http_method_names = ["post"]
    success_text = ""

    def act(self, message: Message) -> Message:
        raise NotImplementedError

    def post(self, request, pk: int):
        if not selectors.outbox_can_change(request.user):
            raise PermissionDenied
        message = get_object_or_404(selectors.outbox_messages(user=request.user), pk=pk)
        try:
            message = self.act(message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            self.report(message)
        return redirect("notifications:message_detail", pk=pk)

    def report(self, message: Message) -> None:
        messages.success(self.request, self.success_text)


class OutboxRetryView(_OutboxActionView):
    def act(self, message):
        return services.message_retry_now(message=message, user=self.request.user)

    def report(self, message):
        if message.status == MessageStatus.SENT:
            messages.success(self.request, _("The message was sent."))
        else:
            messages.warning(
                self.request, _("Sending failed again: %(error)s") % {"error": message.last_error}
            )


class OutboxCancelView(_OutboxActionView):
    def act(self, message):
        return services.message_cancel(message=message, user=self.request.user)

    def report(self, message):
        messages.success(self.request, _("The message was cancelled."))


class AttachmentDownloadView(LoginRequiredMixin, View):
    """An attachment: for whoever may see the message in the outbox, or the in-app recipient."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(MessageAttachment.objects.select_related("message"), pk=pk)
        message = attachment.message
        own = message.channel == Channel.IN_APP and message.recipient_user_id == request.user.pk
        if not own and not selectors.outbox_messages(user=request.user).filter(pk=message.pk).exists():
            raise Http404(_("Not found."))
        return upload_response(
            attachment.file, content_type=attachment.content_type, download_name=attachment.file_name
        )


class InboxView(LoginRequiredMixin, ListView):
    """The user's own in-app messages, unread first marked."""

    template_name = "notifications/inbox.html"
    context_object_name = "inbox"
    paginate_by = 30

    def get_queryset(self):
        queryset = selectors.inbox_messages(user=self.request.user)
        if self.request.GET.get("unread"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset.prefetch_related("attachments")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread"] = selectors.unread_count(self.request.user)
        return ctx


class InboxMessageView(LoginRequiredMixin, DetailView):
    """One in-app message of the user's own; opening it marks it read."""

    template_name = "notifications/inbox_message.html"
    context_object_name = "message_obj"

    def get_queryset(self):
        return selectors.inbox_messages(user=self.request.user).prefetch_related("attachments")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        return services.message_mark_read(message=obj, user=self.request.user)


class InboxMarkAllReadView(LoginRequiredMixin, View):
    """POST: mark every unread message of the user read."""

    http_method_names = ["post"]

    def post(self, request):
        n = services.inbox_mark_all_read(user=request.user)
        messages.success(
            request, ngettext("%(n)s message marked read.", "%(n)s messages marked read.", n) % {"n": n}
        )
        return redirect("notifications:inbox")


class PreferencesView(LoginRequiredMixin, View):
    """The user's own notification settings: per kind, e-mail and/or SMS besides the in-app message."""

    template_name = "notifications/preferences.html"

    def get(self, request):
        return self._render(request)

    def post(self, request):
        choices = {
            row["kind"]: {
                "email": request.POST.get(f"{row['kind']}-email") == "on",
                "sms": request.POST.get(f"{row['kind']}-sms") == "on",
            }
            for row in selectors.preferences_of(request.user)
        }
        services.preferences_save(user=request.user, choices=choices)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")

    def _render(self, request):
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "rows": selectors.preferences_of(user),
                "has_email": bool((user.email or "").strip()),
                "has_phone": bool((getattr(user, "phone", "") or "").strip()),
            },
        )
