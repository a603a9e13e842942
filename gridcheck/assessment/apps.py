from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gridcheck.assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from gridcheck.assessment import registrations

        registrations.register()
