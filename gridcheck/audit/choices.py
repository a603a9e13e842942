"""The fixed vocabularies of marketing audit (营销稽查): modules, themes, severities, schedules, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Module(models.TextChoices):
    """The business module a rule watches (稽查模块)."""

    METERING = "metering", _("Metering")  # 电能计量
    INSPECTION = "inspection", _("Inspection")  # 用电检查
    TARIFF = "tariff", _("Tariff and billing")  # 电费电价
    BUSINESS = "business", _("Business acceptance")  # 营业受理


class Theme(models.TextChoices):
    """What is at stake (稽查主题): energy, price, fees, loss (量、价、费、损)."""

    ENERGY = "energy", _("Energy")  # 量
    PRICE = "price", _("Price")  # 价
    FEES = "fees", _("Fees")  # 费
    LOSS = "loss", _("Loss")  # 损


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Schedule(models.TextChoices):
    """When the scheduler runs a rule by itself (it can always be run on demand)."""

    NIGHTLY = "nightly", _("Nightly")
    MONTHLY = "monthly", _("Monthly")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFIED = "rectified", _("Rectified")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    DISMISS_REQUESTED = "dismiss_requested", _("Not a problem: awaiting approval")
    DISMISSED = "dismissed", _("Not a problem")


#: A finding in one of these is finished: the same fact found again opens a new finding.
FINISHED = (FindingStatus.CLOSED, FindingStatus.DISMISSED)
#: Still to be worked (counted as open, escalated when overdue).
UNFINISHED = tuple(s for s in FindingStatus.values if s not in FINISHED)


class RunRuleStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    ON_DEMAND = "on_demand", _("On demand")
    NIGHTLY = "nightly", _("Nightly schedule")
    MONTHLY = "monthly", _("Monthly schedule")
