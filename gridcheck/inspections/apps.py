from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "gridcheck.inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from gridcheck.inspections import registrations

        registrations.register()
