from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gridcheck.audit"
    verbose_name = _("Marketing audit")

    def ready(self):
        from gridcheck.audit import registrations

        registrations.register()
