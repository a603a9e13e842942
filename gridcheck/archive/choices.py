from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerCategory(models.TextChoices):
    """What a customer is (用户类别)."""

    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Commercial")
    INDUSTRIAL = "industrial", _("Industrial")
    AGRICULTURAL = "agricultural", _("Agricultural")
    OTHER = "other", _("Other")


class VoltageLevel(models.TextChoices):
    """Supply voltage (供电电压)."""

    V220 = "220V", "220V"
    V380 = "380V", "380V"
    KV10 = "10kV", "10kV"
    KV35 = "35kV", "35kV"


class InspectionClass(models.TextChoices):
    """Anti-theft patrol class: A weekly, B monthly, C quarterly."""

    A = "A", _("A (weekly)")
    B = "B", _("B (monthly)")
    C = "C", _("C (quarterly)")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class MeterPhase(models.TextChoices):
    SINGLE = "single", _("Single-phase")
    THREE = "three", _("Three-phase")


class MeterStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    REMOVED = "removed", _("Removed")


class TariffCategory(models.TextChoices):
    """Tariff category (电价类别) of the state catalogue."""

    RESIDENTIAL = "residential", _("Residential")
    GENERAL_COMMERCIAL_INDUSTRIAL = "general", _("General commercial and industrial")
    LARGE_INDUSTRY = "large_industry", _("Large industry")
    AGRICULTURAL = "agricultural", _("Agricultural")
