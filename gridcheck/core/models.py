"""Base models shared by every Gridcheck app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(TimeStampedModel):
    """A row whose every change is recorded (who, when, before and after) by django-simple-history.

    Subclasses get a ``history`` manager; the object's page shows it. This is the single place
    where the audit trail is switched on.
    """

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
