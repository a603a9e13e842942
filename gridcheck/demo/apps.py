from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The top layer: ``gridcheck demo`` builds a working county from every app (archive, staff, meter
    data and line loss, hazards); nothing imports this app."""

    name = "gridcheck.demo"
    label = "demo"
    verbose_name = _("Demo")
