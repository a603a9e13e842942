"""Choice sets of the cases app: kinds, theft and violation types, statuses, approval levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseKind(models.TextChoices):
    """Electricity theft (窃电) or a contract violation (违约用电)."""

    THEFT = "theft", _("Electricity theft")
    VIOLATION = "violation", _("Contract violation")


class TheftType(models.TextChoices):
    """Theft methods of 《供电营业规则》(1996) art. 101; values are ``gridcheck_analytics.penalties.THEFT_TYPES``."""

    TAP_SUPPLY_FACILITY = "tap_supply_facility", _("Wiring into supply facilities")
    BYPASS_METER = "bypass_meter", _("Bypassing the meter")
    SEAL_FORGED_OR_OPENED = "seal_forged_or_opened", _("Forging or opening seals")
    METER_DAMAGED = "meter_damaged", _("Deliberately damaging the meter")
    METER_TAMPERED_INACCURATE = "meter_tampered_inaccurate", _("Making the meter inaccurate or dead")
    OTHER = "other", _("Other theft method")


class ViolationType(models.TextChoices):
    """The six violations of art. 100; values are ``gridcheck_analytics.penalties.VIOLATION_TYPES``."""

    CATEGORY_CHANGE = "category_change", _("Changing the tariff category")
    EXCESS_CAPACITY = "excess_capacity", _("Excess capacity")
    OVER_ALLOCATION = "over_allocation", _("Exceeding the planned allocation")
    SEALED_EQUIPMENT = "sealed_equipment", _("Using suspended or sealed equipment")
    METER_INTERFERENCE = "meter_interference", _("Moving or operating the company's metering or equipment")
    UNAUTHORISED_SOURCE = "unauthorised_source", _("Unauthorised source or generator in parallel")


class CaseStatus(models.TextChoices):
    """Life of a case: draft > computed > notified > pending approval > approved > paid > closed."""

    DRAFT = "draft", _("Draft")
    COMPUTED = "computed", _("Computed")
    NOTIFIED = "notified", _("Notified")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalLevel(models.TextChoices):
    """Who approves: the station head always, the county above the threshold."""

    STATION = "station", _("Station head")
    COUNTY = "county", _("County")


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class CustomerClass(models.TextChoices):
    """Class for the default hours per day when the theft duration is unknown (art. 103)."""

    POWER = "power", _("Power customer (12 h/day)")
    LIGHTING = "lighting", _("Lighting customer (6 h/day)")


class LegalStep(models.TextChoices):
    """The third "not let go": the legal responsibility pursued, or why none is due."""

    POLICE_TRANSFER = "police_transfer", _("Transferred to the police")
    NOT_DUE = "not_due", _("No legal step due")


class SettlementKind(models.TextChoices):
    """How an amount other than the computed one was fixed."""

    NEGOTIATED = "negotiated", _("Negotiated settlement")
    COURT = "court", _("Court judgment or mediation")
