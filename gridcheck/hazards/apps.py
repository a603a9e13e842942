from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "gridcheck.hazards"
    verbose_name = _("Safety hazards")

    def ready(self):
        from gridcheck.hazards import registrations

        registrations.register()
