from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "gridcheck.census"
    verbose_name = _("Business census")

    def ready(self):
        from gridcheck.census import registrations

        registrations.register()
