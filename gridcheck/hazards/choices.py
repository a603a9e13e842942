"""Choice sets of the hazards app: categories, severities, statuses, notices, channels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HazardCategory(models.TextChoices):
    """What kind of defect a hazard is (隐患类别)."""

    GENERATOR_NO_INTERLOCK = "generator_no_interlock", _("Self-owned generator without interlock")
    AGEING_EQUIPMENT = "ageing_equipment", _("Ageing equipment")
    SINGLE_SUPPLY_IMPORTANT_LOAD = "single_supply", _("Single supply for an important load")
    NO_EMERGENCY_PLAN = "no_emergency_plan", _("No emergency plan")
    ELECTRICIAN_NO_CERTIFICATE = "electrician_no_certificate", _("Electrician without certificate")
    PROTECTION_NOT_SET = "protection_not_set", _("Protection not set")
    OTHER = "other", _("Other hazard")


class HazardSeverity(models.TextChoices):
    """How grave a hazard is (一般 / 较大 / 重大)."""

    GENERAL = "general", pgettext_lazy("hazard severity", "General")
    SERIOUS = "serious", pgettext_lazy("hazard severity", "Serious")
    MAJOR = "major", pgettext_lazy("hazard severity", "Major")


class HazardStatus(models.TextChoices):
    """Where a hazard stands: found > notified > rectifying > rectified > verified, or overdue."""

    FOUND = "found", pgettext_lazy("hazard status", "Found")
    NOTIFIED = "notified", pgettext_lazy("hazard status", "Notified")
    RECTIFYING = "rectifying", pgettext_lazy("hazard status", "Rectifying")
    RECTIFIED = "rectified", pgettext_lazy("hazard status", "Rectified")
    VERIFIED = "verified", pgettext_lazy("hazard status", "Verified on re-inspection")
    OVERDUE = "overdue", pgettext_lazy("hazard status", "Overdue")
    # Registered by mistake and cancelled with a reason (``services.hazard_cancel``), before the
    # government was told of it. Final.
    CANCELLED = "cancelled", pgettext_lazy("hazard status", "Cancelled (registered by mistake)")


# Statuses in which a hazard is still open (its deadline still matters).
OPEN_STATUSES = (HazardStatus.FOUND, HazardStatus.NOTIFIED, HazardStatus.RECTIFYING, HazardStatus.OVERDUE)

# The transitions a hazard may make: from -> allowed targets.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    HazardStatus.FOUND: (
        HazardStatus.NOTIFIED,
        HazardStatus.RECTIFYING,
        HazardStatus.RECTIFIED,
        HazardStatus.OVERDUE,
    ),
    HazardStatus.NOTIFIED: (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED, HazardStatus.OVERDUE),
    HazardStatus.RECTIFYING: (HazardStatus.RECTIFIED, HazardStatus.OVERDUE),
    HazardStatus.OVERDUE: (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED),
    # A re-inspection that finds the work not done sends the hazard back to rectifying.
    HazardStatus.RECTIFIED: (HazardStatus.VERIFIED, HazardStatus.RECTIFYING),
    HazardStatus.VERIFIED: (),
    HazardStatus.CANCELLED: (),
}


class PhotoStage(models.TextChoices):
    """Whether a photo shows the hazard as found or after its rectification."""

    BEFORE = "before", _("Before rectification")
    AFTER = "after", _("After rectification")


class NoticeKind(models.TextChoices):
    """The documents of the 1+1+1 network."""

    CUSTOMER_MONTHLY = "customer_monthly", _("Customer notice")
    # A hazard registered after the month's notices went out: its own notice at once (rule
    # ``hazards.late_hazard_notice``), not silently the next month's.
    CUSTOMER_SUPPLEMENTARY = "customer_supplementary", _("Supplementary customer notice")
    GOVERNMENT_MONTHLY = "government_monthly", _("Government summary")
    QUARTERLY_BRIEFING = "quarterly_briefing", _("Quarterly briefing")
    RISK_WARNING = "risk_warning", _("Risk warning")


#: What happens to a hazard registered after the month's notices were sent (rule ``hazards.late_hazard_notice``).
LATE_NOTICE_SUPPLEMENTARY = "supplementary"
LATE_NOTICE_NEXT_MONTH = "next_month"


class DeliveryChannel(models.TextChoices):
    """How a notice reached its addressee."""

    EMAIL = "email", _("Email")
    PAPER = "paper", _("Paper")
    EMAIL_AND_PAPER = "email_paper", _("Email and paper")
    SMS = "sms", _("SMS")
    SMS_AND_EMAIL = "sms_email", _("SMS and email")


class DrillStatus(models.TextChoices):
    """Whether a yearly anti-accident drill (反事故演练) is still planned or was held."""

    PLANNED = "planned", pgettext_lazy("drill status", "Planned")
    HELD = "held", pgettext_lazy("drill status", "Held")
    CANCELLED = "cancelled", _("Cancelled")
