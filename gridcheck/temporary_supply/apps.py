from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemporarySupplyConfig(AppConfig):
    name = "gridcheck.temporary_supply"
    verbose_name = _("Temporary supply")

    def ready(self):
        from gridcheck.temporary_supply import registrations

        registrations.register()
