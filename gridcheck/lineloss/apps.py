from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinelossConfig(AppConfig):
    name = "gridcheck.lineloss"
    verbose_name = _("Line loss")

    def ready(self):
        from gridcheck.lineloss import registrations

        registrations.register()
