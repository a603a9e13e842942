from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadingsConfig(AppConfig):
    name = "gridcheck.readings"
    verbose_name = _("Meter data")

    def ready(self):
        from gridcheck.readings import registrations

        registrations.register()
