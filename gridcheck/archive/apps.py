from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "gridcheck.archive"
    verbose_name = _("Archive")

    def ready(self):
        from gridcheck.archive import registrations

        registrations.register()
