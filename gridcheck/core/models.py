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


class AuditedHistoricalRecords(HistoricalRecords):
    """django-simple-history's records, less the history table's indexes a model names.

    A model lists in ``history_unindexed_fields`` the fields whose index its history table does not
    need: the history is read by the row's id and the change's date, never searched by a business key
    or a name, and each index costs every write of the history (a bulk import builds it again).
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name in getattr(model, "history_unindexed_fields", ()):
            fields[name].db_index = False
        return fields


class AuditedModel(TimeStampedModel):
    """A row whose every change is recorded (who, when, before and after) by django-simple-history.

    Subclasses get a ``history`` manager; the object's page shows it. This is the single place
    where the audit trail is switched on.
    """

    history = AuditedHistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class ScheduledJobRun(models.Model):
    """One enqueueing of a periodic job for one period: the guard that runs each job once per period."""

    name = models.CharField(_("job"), max_length=100)
    period = models.CharField(_("period"), max_length=30)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        ordering = ["-enqueued_at"]
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="core_scheduledjobrun_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.period}"
