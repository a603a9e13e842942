"""Business census (营业普查): quarterly campaigns of a station, their teams of two or more, the record
of each customer visited, and the discrepancies found against the archive and the last bill.

Scoping: ``SCOPE_STATION`` / ``SCOPE_AREA`` (see ``gridcheck.core.scoping``). Every state change is a
``CensusEvent`` row (``services._event``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.choices import CustomerCategory
from gridcheck.census.choices import (
    CampaignStatus,
    DiscrepancyKind,
    DiscrepancyStatus,
    FavourSupply,
    IrregularCharge,
    RecordStatus,
    Resolution,
)
from gridcheck.core.events import StateChangeEvent
from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL
KWH = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}


class CensusCampaign(TimeStampedModel):
    """The census of one station in one quarter: its areas, dates and teams."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    areas = models.ManyToManyField("archive.Area", verbose_name=_("transformer areas"), related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("census campaign")
        verbose_name_plural = _("census campaigns")
        ordering = ["-year", "-quarter", "station_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "year", "quarter"], name="census_campaign_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="census_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="census_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def get_absolute_url(self) -> str:
        return record_url("census:campaign_detail", self.pk)


class CensusTeam(TimeStampedModel):
    """A team of the campaign (at least ``census.team_min_members`` people) and the areas it covers."""

    campaign = models.ForeignKey(
        CensusCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("team"), max_length=50)
    members = models.ManyToManyField(USER, verbose_name=_("members"), related_name="census_teams")
    areas = models.ManyToManyField("archive.Area", verbose_name=_("transformer areas"), related_name="+")

    SCOPE_STATION = "campaign__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("census team")
        verbose_name_plural = _("census teams")
        ordering = ["campaign_id", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="census_team_name_unique")]

    def __str__(self) -> str:
        return self.name


class CensusRecord(TimeStampedModel):
    """What a team saw at one customer in one campaign (one record per customer per campaign)."""

    campaign = models.ForeignKey(
        CensusCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="records"
    )
    team = models.ForeignKey(
        CensusTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="records"
    )
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_shown = models.BooleanField(_("certificate shown"), default=False)
    consent_given = models.BooleanField(_("customer consented"), default=False)
    meter_asset_number_seen = models.CharField(_("meter asset number seen"), max_length=40, blank=True)
    reading_seen_kwh = models.DecimalField(_("register reading seen [kWh]"), **KWH)
    seals_present = models.BooleanField(_("seals present"), null=True, blank=True)
    seal_numbers_seen = models.JSONField(_("seal numbers seen"), default=list, blank=True)
    category_seen = models.CharField(
        _("use category seen"), max_length=20, choices=CustomerCategory.choices, blank=True
    )
    load_seen_kw = models.DecimalField(_("load seen [kW]"), **KWH)
    capacity_seen_kva = models.DecimalField(_("capacity seen [kVA]"), **KWH)
    unmetered_load_kw = models.DecimalField(_("unmetered load seen [kW]"), **KWH)
    favour_supply = models.CharField(
        _("favour or privilege supply"), max_length=20, choices=FavourSupply.choices, blank=True
    )
    irregular_charge = models.CharField(
        _("irregular charges"), max_length=20, choices=IrregularCharge.choices, blank=True
    )
    safety_checked = models.BooleanField(_("safety check done"), default=False)
    publicity_given = models.BooleanField(_("publicity given"), default=False)
    customer_signer = models.CharField(_("signed for the customer by"), max_length=50, blank=True)
    customer_signature = models.ImageField(
        _("customer signature"), upload_to="census/signatures/%Y/%m/", blank=True
    )
    customer_signature_sha256 = models.CharField(_("signature SHA-256"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    draft_id = models.CharField(_("draft"), max_length=64, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="census_record_one_per_customer")
        ]

    def __str__(self) -> str:
        return f"{self.campaign.period} {self.customer}"

    def get_absolute_url(self) -> str:
        return record_url("census:record_detail", self.pk)


class CensusPhoto(TimeStampedModel):
    """A photo of a census record, checked and re-encoded by ``core.uploads``; its SHA-256 kept."""

    record = models.ForeignKey(
        CensusRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="census/photos/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size_bytes = models.PositiveIntegerField(_("size [bytes]"), default=0)

    SCOPE_STATION = "record__station_id"
    SCOPE_AREA = "record__area_id"

    class Meta:
        verbose_name = _("census photo")
        verbose_name_plural = _("census photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]


class Discrepancy(TimeStampedModel):
    """One difference a census record shows (against the archive, the last bill, or seen on site), and
    what it becomes once a proposal is approved by someone other than its proposer."""

    record = models.ForeignKey(
        CensusRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="discrepancies"
    )
    campaign = models.ForeignKey(
        CensusCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="discrepancies"
    )
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DiscrepancyKind.choices)
    detail = models.CharField(_("detail"), max_length=20, blank=True)
    expected = models.CharField(_("archive / last bill"), max_length=200, blank=True)
    seen = models.CharField(_("seen on site"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN
    )
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)
    proposal_note = models.TextField(_("reason"), blank=True)
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("proposed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("comment"), blank=True)
    category_change = models.ForeignKey(
        "billing.CategoryChange",
        verbose_name=_("category change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finding = models.ForeignKey(
        "audit.Finding",
        verbose_name=_("audit finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result_note = models.CharField(_("result"), max_length=300, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("census discrepancy")
        verbose_name_plural = _("census discrepancies")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind"], name="census_discrepancy_once_per_kind")
        ]
        indexes = [models.Index(fields=["campaign", "kind"], name="census_disc_campaign_kind")]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return record_url("census:discrepancy_detail", self.pk)


class CensusEvent(StateChangeEvent):
    """One state change of a campaign, record or discrepancy of the census."""

    subject_type = models.CharField(_("record"), max_length=30)
    subject_id = models.PositiveBigIntegerField(_("record id"))
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)

    class Meta:
        verbose_name = _("census event")
        verbose_name_plural = _("census events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="census_event_subject")]
