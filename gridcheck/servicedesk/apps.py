from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "gridcheck.servicedesk"
    verbose_name = _("Electricians' service desk")

    def ready(self):
        from gridcheck.servicedesk import registrations

        registrations.register()
