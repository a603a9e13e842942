from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "gridcheck.billing"
    verbose_name = _("Meter reading and billing")

    def ready(self):
        from gridcheck.billing import registrations

        registrations.register()
