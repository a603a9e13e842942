from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "gridcheck.collection"
    verbose_name = _("Collection")

    def ready(self):
        from gridcheck.collection import registrations

        registrations.register()
