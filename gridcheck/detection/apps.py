from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "gridcheck.detection"
    verbose_name = _("Theft detection")

    def ready(self):
        from gridcheck.detection import registrations

        registrations.register()
