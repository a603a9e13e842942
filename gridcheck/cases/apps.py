from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gridcheck.cases"
    verbose_name = _("Theft and violation cases")

    def ready(self):
        from gridcheck.cases import registrations

        registrations.register()
