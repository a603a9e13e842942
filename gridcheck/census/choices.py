"""The fixed vocabularies of the business census (营业普查): statuses, discrepancy kinds, resolutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("census", "Planned")
    RUNNING = "running", pgettext_lazy("census", "Running")
    CLOSED = "closed", pgettext_lazy("census", "Closed")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("census", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("census", "Submitted")


class DiscrepancyKind(models.TextChoices):
    """What a census record found different from the archive and the last bill, or saw on site."""

    METER_NUMBER = "meter_number", _("Meter number differs")
    READING = "reading", _("Reading implausible")
    ENERGY = "energy", _("Energy differs from the last bill")
    CATEGORY = "category", _("Use category differs")
    TARIFF = "tariff", _("Tariff does not fit the use")
    CAPACITY = "capacity", _("Capacity differs")
    SEAL_MISSING = "seal_missing", _("Seal missing")
    SEAL_NUMBER = "seal_number", _("Seal number differs")
    UNMETERED_LOAD = "unmetered_load", _("Unmetered load")
    FAVOUR_SUPPLY = "favour_supply", _("Favour or privilege supply")
    IRREGULAR_CHARGE = "irregular_charge", _("Irregular charges")


class FavourSupply(models.TextChoices):
    """人情电、关系电、权力电."""

    FAVOUR = "favour", _("Favour power (人情电)")
    RELATIONSHIP = "relationship", _("Relationship power (关系电)")
    PRIVILEGE = "privilege", _("Privilege power (权力电)")


class IrregularCharge(models.TextChoices):
    """乱收费、乱加价、乱摊派."""

    FEES = "fees", _("Arbitrary fees (乱收费)")
    MARKUP = "markup", _("Arbitrary markup (乱加价)")
    LEVY = "levy", _("Arbitrary levies (乱摊派)")


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("census", "Open")
    PROPOSED = "proposed", pgettext_lazy("census", "Proposed")
    APPROVED = "approved", pgettext_lazy("census", "Approved")
    REJECTED = "rejected", pgettext_lazy("census", "Rejected")
    DONE = "done", pgettext_lazy("census", "Done")


#: A discrepancy in one of these may be proposed (again).
PROPOSABLE = (DiscrepancyStatus.OPEN, DiscrepancyStatus.REJECTED)


class Resolution(models.TextChoices):
    """What an approved discrepancy becomes."""

    ARCHIVE_CORRECTION = "archive_correction", _("Archive correction")
    CATEGORY_CHANGE = "category_change", _("Category-change application")
    AUDIT_FINDING = "audit_finding", _("Audit finding")
    CASE = "case", _("Theft or violation case")


#: Archive fields a correction may change, by discrepancy kind.
CORRECTABLE = {
    DiscrepancyKind.CATEGORY: "category",
    DiscrepancyKind.CAPACITY: "contracted_capacity_kva",
}
