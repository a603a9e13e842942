"""Staff, their roles and their inspection qualifications."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gridcheck.core.models import AuditedModel
from gridcheck.core.roles import Role
from gridcheck.users.choices import QualificationLevel


class User(AbstractUser):
    """A member of staff (or a read-only government liaison) who logs in to Gridcheck.

    ``station`` empty means county level: the user sees every station of the county. A station's staff
    see only that station; an area manager only the areas they own (``Area.owner``).
    """

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.METER_READER)
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~models.Q(employee_number=""),
                name="users_user_employee_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def valid_qualification_on(self, day: datetime.date) -> "Qualification | None":
        """The inspection qualification valid on ``day``, if any."""
        return (
            self.qualifications.filter(issued_on__lte=day, expires_on__gte=day)
            .order_by("-expires_on")
            .first()
        )


class Qualification(AuditedModel):
    """An inspector's certificate (用电检查证): level, number and validity.

    Inspections need two staff with a qualification valid on the visit date.
    """

    user = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="qualifications"
    )
    level = models.CharField(_("level"), max_length=5, choices=QualificationLevel.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        verbose_name = _("inspection qualification")
        verbose_name_plural = _("inspection qualifications")
        ordering = ["user", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="users_qualification_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return self.certificate_number


User.SCOPE_STATION = "station_id"
User.SCOPE_AREA = None
Qualification.SCOPE_STATION = "user__station_id"
Qualification.SCOPE_AREA = None
