"""The choice sets of supply contracts (供用电合同)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractKind(models.TextChoices):
    """The contract's form: the two standard forms, or a non-standard (special supply) contract."""

    STANDARD_TEMPORARY = "standard_temporary", _("Standard temporary-supply contract")
    RESIDENTIAL_NOTICE = "residential_notice", _("Residential notice (居民用电须知)")
    NON_STANDARD = "non_standard", _("Non-standard (special supply) contract")


class ContractStatus(models.TextChoices):
    """Draft → signed → in force → extended / expired / terminated / superseded."""

    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXTENDED = "extended", _("Extended")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


#: The statuses in which a contract covers supply (between its valid_from and valid_to).
IN_FORCE_STATUSES = (ContractStatus.IN_FORCE, ContractStatus.EXTENDED)
#: The statuses in which a contract can no longer change.
CLOSED_STATUSES = (ContractStatus.EXPIRED, ContractStatus.TERMINATED, ContractStatus.SUPERSEDED)


class AgreementKind(models.TextChoices):
    """An agreement attached to the contract and part of it (it may not contradict it)."""

    DISPATCH = "dispatch", _("Dispatch agreement")
    OWN_GENERATION = "own_generation", _("Own-generation agreement")
    SETTLEMENT = "settlement", _("Settlement agreement")


#: The seven mandatory clauses of a non-standard contract: (field name, label).
MANDATORY_CLAUSES = (
    ("clause_supply", _("supply mode, quality and hours")),
    ("clause_capacity_use", _("capacity, address and nature of use")),
    ("clause_metering_tariff", _("metering, tariff and settlement")),
    ("clause_boundary", _("maintenance-responsibility boundary")),
    ("clause_term", _("term")),
    ("clause_liability", _("liability for breach")),
    ("clause_other", _("other agreed clauses")),
)
