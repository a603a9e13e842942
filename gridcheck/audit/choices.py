"""The fixed vocabularies of marketing audit (营销稽查): modules, themes, severities, schedules, statuses."""

from django.db import models

# Labels in their own context ("audit"): "Open", "Closed" and "Severity" mean other things elsewhere.
from django.utils.translation import pgettext_lazy


class Module(models.TextChoices):
    """The business module a rule watches (稽查模块)."""

    METERING = "metering", pgettext_lazy("audit", "Metering")  # 电能计量
    INSPECTION = "inspection", pgettext_lazy("audit", "Inspection")  # 用电检查
    TARIFF = "tariff", pgettext_lazy("audit", "Tariff and billing")  # 电费电价
    BUSINESS = "business", pgettext_lazy("audit", "Business acceptance")  # 营业受理


class Theme(models.TextChoices):
    """What is at stake (稽查主题): energy, price, fees, loss (量、价、费、损)."""

    ENERGY = "energy", pgettext_lazy("audit", "Energy")  # 量
    PRICE = "price", pgettext_lazy("audit", "Price")  # 价
    FEES = "fees", pgettext_lazy("audit", "Fees")  # 费
    LOSS = "loss", pgettext_lazy("audit", "Loss")  # 损


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("audit", "High")
    MEDIUM = "medium", pgettext_lazy("audit", "Medium")
    LOW = "low", pgettext_lazy("audit", "Low")


class Schedule(models.TextChoices):
    """When the scheduler runs a rule by itself (it can always be run on demand)."""

    NIGHTLY = "nightly", pgettext_lazy("audit", "Nightly")
    MONTHLY = "monthly", pgettext_lazy("audit", "Monthly")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("audit", "Open")
    ASSIGNED = "assigned", pgettext_lazy("audit", "Assigned")
    RECTIFIED = "rectified", pgettext_lazy("audit", "Rectified")
    VERIFIED = "verified", pgettext_lazy("audit", "Verified")
    CLOSED = "closed", pgettext_lazy("audit", "Closed")
    DISMISS_REQUESTED = "dismiss_requested", pgettext_lazy("audit", "Not a problem: awaiting approval")
    DISMISSED = "dismissed", pgettext_lazy("audit", "Not a problem")


#: A finding in one of these is finished: the same fact found again opens a new finding.
FINISHED = (FindingStatus.CLOSED, FindingStatus.DISMISSED)
#: Still to be worked (counted as open, escalated when overdue).
UNFINISHED = tuple(s for s in FindingStatus.values if s not in FINISHED)


class RunRuleStatus(models.TextChoices):
    SUCCEEDED = "succeeded", pgettext_lazy("audit", "Succeeded")
    FAILED = "failed", pgettext_lazy("audit", "Failed")


class RunTrigger(models.TextChoices):
    ON_DEMAND = "on_demand", pgettext_lazy("audit", "On demand")
    NIGHTLY = "nightly", pgettext_lazy("audit", "Nightly schedule")
    MONTHLY = "monthly", pgettext_lazy("audit", "Monthly schedule")
