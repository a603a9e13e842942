from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "gridcheck.users"
    verbose_name = _("Staff")

    def ready(self):
        from gridcheck.users import registrations

        registrations.register()
