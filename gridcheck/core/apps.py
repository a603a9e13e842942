from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridcheck.core"
    verbose_name = "Core"

    def ready(self):
        # django-tables2's per-cell costs cached once for every table, whichever app's module defines it;
        # django-filter's filters keep no field made from the class (the API schema reads them there)
        from gridcheck.core import filtersets, tables  # noqa: F401
        from gridcheck.core.registries import MenuItem, menu
        from gridcheck.core.roles import VIEW

        menu.add_section("home", None, order=0)
        menu.add_item("home", MenuItem(_("Dashboard"), "home", VIEW))
        menu.add_section("organisation", _("Organisation"), order=900)
        menu.add_item("organisation", MenuItem(_("API documentation"), "api-docs", VIEW, order=50))
