"""The state-change log of every object with a life cycle (a case, a hazard, a work order, and later a
finding or a bill): who moved it, when, from which status to which, and why.

An app declares its log as a subclass of ``StateChangeEvent`` with a foreign key named after the object
(``related_name="events"``) and the status choices::

    class CaseEvent(StateChangeEvent):
        case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
        from_status = status_field(_("from"), CaseStatus, blank=True)
        to_status = status_field(_("to"), CaseStatus)

and writes it only through ``record_transition`` in the service that changes the status.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def status_field(verbose_name, choices, *, blank: bool = False) -> models.CharField:
    """The ``from_status`` / ``to_status`` column of an event log, with the object's status choices."""
    return models.CharField(verbose_name, max_length=20, choices=choices.choices, blank=blank)


class StateChangeEvent(models.Model):
    """One state change (abstract): subclasses add the object's foreign key and the two status fields."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    #: The name of the foreign key to the object whose life this logs (e.g. ``"case"``).
    subject_field = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        subject_id = getattr(self, f"{self.subject_field}_id", None)
        return f"{subject_id}: {getattr(self, 'from_status', '') or '-'} -> {self.to_status}"


def record_transition(event_model, subject, *, to_status: str, from_status: str = "", actor=None, note=""):
    """Write one row of ``event_model`` for ``subject`` moving ``from_status`` -> ``to_status``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return event_model.objects.create(
        **{event_model.subject_field: subject},
        from_status=from_status or "",
        to_status=to_status,
        actor=user,
        note=note or "",
    )
