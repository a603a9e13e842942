from django.urls import path

from gridcheck.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/", views.InboxMessageView.as_view(), name="inbox_message"),
    path("inbox/read-all/", views.InboxMarkAllReadView.as_view(), name="inbox_read_all"),
    path("settings/", views.PreferencesView.as_view(), name="preferences"),
    path("outbox/", views.OutboxListView.as_view(), name="outbox"),
    path("outbox/<int:pk>/", views.OutboxDetailView.as_view(), name="message_detail"),
    path("outbox/<int:pk>/retry/", views.OutboxRetryView.as_view(), name="message_retry"),
    path("outbox/<int:pk>/cancel/", views.OutboxCancelView.as_view(), name="message_cancel"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
]
