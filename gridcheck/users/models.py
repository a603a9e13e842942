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

    def disqualification_on(self, day: datetime.date) -> "Disqualification | None":
        """The removal from inspection duties in force on ``day`` (a failed yearly evaluation), if any."""
        return (
            self.disqualifications.filter(starts_on__lte=day, ends_on__gte=day).order_by("-ends_on").first()
        )

    def valid_qualification_on(self, day: datetime.date) -> "Qualification | None":
        """The inspection qualification valid on ``day``, if any (none while disqualified)."""
        if self.disqualification_on(day) is not None:
            return None
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


class Disqualification(AuditedModel):
    """A removal from inspection duties: from ``starts_on`` to ``ends_on`` the person may neither be sent
    on an inspection nor be given a qualification (written by the yearly evaluation of assessment)."""

    user = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="disqualifications"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("inspection disqualification")
        verbose_name_plural = _("inspection disqualifications")
        ordering = ["user", "-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="users_disqualification_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


User.SCOPE_STATION = "station_id"
User.SCOPE_AREA = None
Qualification.SCOPE_STATION = "user__station_id"
Qualification.SCOPE_AREA = None
Disqualification.SCOPE_STATION = "user__station_id"
Disqualification.SCOPE_AREA = None
