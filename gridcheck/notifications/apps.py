from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "gridcheck.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from gridcheck.notifications import registrations

        registrations.register()
