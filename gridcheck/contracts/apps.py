from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "gridcheck.contracts"
    verbose_name = _("Supply contracts")

    def ready(self):
        from gridcheck.contracts import registrations

        registrations.register()
