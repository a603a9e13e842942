from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member of staff does; decides what they may do (see ``gridcheck.core.permissions``)."""

    STATION_HEAD = "station_head", _("Station head")
    INSPECTOR = "inspector", _("Inspector")
    METER_READER = "meter_reader", _("Meter reader")
    AUDITOR = "auditor", _("Auditor")
    AREA_MANAGER = "area_manager", _("Area manager")
    GOVERNMENT_LIAISON = "government_liaison", _("Government liaison")
    ADMINISTRATOR = "administrator", _("Administrator")
    # A person at a customer who logs in to the hazard portal: no staff capability, no archive scope.
    CUSTOMER = "customer", _("Customer (portal)")


class QualificationLevel(models.TextChoices):
    """Level of an inspector's certificate (用电检查资格)."""

    LEVEL_1 = "1", _("Level 1")
    LEVEL_2 = "2", _("Level 2")
    LEVEL_3 = "3", _("Level 3")
