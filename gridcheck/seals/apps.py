from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "gridcheck.seals"
    verbose_name = _("Seals and sealing pliers")

    def ready(self):
        from gridcheck.seals import registrations

        registrations.register()
