from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "gridcheck.hazards"
    verbose_name = _("Safety hazards")

    def ready(self):
        from gridcheck.hazards import registrations

        registrations.register()
        from django.contrib.auth.signals import user_logged_in

        from gridcheck.hazards.middleware import portal_session_mark

        user_logged_in.connect(portal_session_mark, dispatch_uid="gridcheck.hazards.portal_session_mark")
