from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "gridcheck.metering"
    verbose_name = _("Metering assets")

    def ready(self):
        from gridcheck.metering import registrations

        registrations.register()
