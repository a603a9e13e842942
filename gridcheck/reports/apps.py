from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "gridcheck.reports"
    verbose_name = _("Reports")

    def ready(self):
        from gridcheck.reports import registrations

        registrations.register()
