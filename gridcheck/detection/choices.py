"""Choice sets of the detection app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuspectOutcome(models.TextChoices):
    """What the inspection of a suspect proved: set when its work order or its case closes."""

    THEFT = "theft", _("Theft confirmed")
    VIOLATION = "violation", _("Violation confirmed")
    NO_PROBLEM = "no_problem", _("No problem found")


class SuspectStatus(models.TextChoices):
    """What became of a suspect: still to be looked at, sent to an inspector, or set aside."""

    NEW = "new", _("To be checked")
    WORK_ORDER_CREATED = "work_order_created", _("Work order created")
    DISMISSED = "dismissed", _("Dismissed")


class CandidateStatus(models.TextChoices):
    """What the quality gate of ``detect train`` decided on a newly trained model (and the head after it)."""

    PROMOTED = "promoted", _("Made current by the gate")
    PENDING = "pending", _("Waiting for the head's approval")
    APPROVED = "approved", _("Approved by the head")
    REJECTED = "rejected", _("Rejected")


#: Steps of a detection run as shown in its progress bar: the scoring steps, then writing the suspects.
STEP_LABELS = {
    "queued": _("Waiting for a worker"),
    "connect": _("Reading the archive and the model"),
    "features": _("Computing customer features"),
    "rules": _("Applying the theft rules"),
    "model": _("Scoring with the model"),
    "combine": _("Combining scores and ranking"),
    "save": _("Saving the suspects"),
    "done": _("Done"),
}
