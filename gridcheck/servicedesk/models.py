"""The electricians' service desk (电工之家): the models.

A **consultation** (用电咨询 / 技术指导) is a question of a customer's electrician (a portal login of the
customer, ``hazards.CustomerContact.portal_user``), with photos, under a topic whose answer time limit is a
rule-table row (``servicedesk.answer_hours.<topic>``). The station answers it; an overdue one is escalated
once to the station head through the outbox; the asker rates the answer; an answer may be published,
anonymised, to the **knowledge base**.

A **service complaint** (服务投诉) comes from the portal or is entered by staff (hotline, WeChat, Weibo),
about a member of staff or a service; the person complained about never handles it (a service check and a
database constraint) and never sees it. A customer's **business feedback** (expand, add load, close) is
a lead for the marketing staff.

Scoping: each row repeats its station and transformer area (``SCOPE_STATION`` / ``SCOPE_AREA``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck.servicedesk.choices import (
    AnnouncementKind,
    AnnouncementReach,
    Audience,
    CampaignKind,
    CampaignStatus,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintSubject,
    ConsultationStatus,
    FeedbackKind,
    LeadStatus,
    Rating,
    Topic,
    TrainingKind,
    TypicalCaseStatus,
)

USER = settings.AUTH_USER_MODEL


def _user(verbose_name, related_name="+"):
    return models.ForeignKey(
        USER,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


def _station():
    return models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )


def _area():
    return models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )


class Consultation(AuditedModel):
    """A question of a customer's electrician and its answer (用电咨询 / 技术指导).

    ``due_at`` is fixed when asked, from the topic's rule row in force that day; ``escalated_at`` is set
    once, when the daily job tells the station head it is overdue.
    """

    station = _station()
    area = _area()
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="consultations"
    )
    asked_by = _user(_("asked by"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    subject = models.CharField(_("subject"), max_length=100)
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    due_at = models.DateTimeField(_("answer due by"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.ASKED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = _user(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        choices=Rating.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("comment on the answer"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["station", "status", "due_at"], name="sd_consult_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="sd_consult_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(status=ConsultationStatus.ASKED) | Q(answered_at__isnull=False),
                name="sd_consult_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"ZX{self.pk or 0:06d}"

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at


class ConsultationPhoto(TimeStampedModel):
    """A photo of a consultation, checked and re-encoded by core's upload path."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="servicedesk/photos/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = _user(_("uploaded by"))

    SCOPE_STATION = "consultation__station_id"
    SCOPE_AREA = "consultation__area_id"

    class Meta:
        verbose_name = _("consultation photo")
        verbose_name_plural = _("consultation photos")
        ordering = ["consultation", "pk"]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.original_name}"


class ConsultationEvent(StateChangeEvent):
    """One step of a consultation: asked, answered, escalated (a note), rated."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), ConsultationStatus, blank=True)
    to_status = status_field(_("to"), ConsultationStatus)

    subject_field = "consultation"

    class Meta:
        verbose_name = _("consultation event")
        verbose_name_plural = _("consultation events")
        ordering = ["at", "pk"]


class KnowledgeArticle(AuditedModel):
    """An answered question published to the station's knowledge base, anonymised: no customer name,
    account number or phone number (checked by ``knowledge_article_publish``)."""

    station = _station()
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=100)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    source = models.OneToOneField(
        Consultation,
        verbose_name=_("from consultation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article",
    )
    published_by = _user(_("published by"))
    published_at = models.DateTimeField(_("published at"))

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Complaint(AuditedModel):
    """A service complaint (服务投诉) and its handling to closure.

    ``about_staff`` is the member of staff complained about, if any: they never handle it
    (``sd_complaint_handler_not_subject``) and never see it (the selectors leave it out for them). The
    author (a portal login, or a name and phone taken by staff) is shown to no one but the handlers.
    """

    station = _station()
    area = models.ForeignKey(
        "archive.Area",
        verbose_name=_("transformer area"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_complaints",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ComplaintChannel.choices)
    author = _user(_("author (portal login)"))
    author_name = models.CharField(_("complainant"), max_length=50, blank=True)
    author_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    entered_by = _user(_("entered by"))
    subject = models.CharField(_("service"), max_length=20, choices=ComplaintSubject.choices)
    about_staff = _user(_("member of staff complained about"))
    text = models.TextField(_("complaint"))
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due by"))
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    handler = _user(_("handled by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("service complaint")
        verbose_name_plural = _("service complaints")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handler__isnull=True)
                | Q(about_staff__isnull=True)
                | ~Q(handler=F("about_staff")),
                name="sd_complaint_handler_not_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"TS{self.pk or 0:06d}"


class ComplaintEvent(StateChangeEvent):
    """One step of a complaint: received, answered, closed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), ComplaintStatus, blank=True)
    to_status = status_field(_("to"), ComplaintStatus)

    subject_field = "complaint"

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]


class BusinessLead(AuditedModel):
    """A customer's business feedback (expand, add load, close) as a lead for the marketing staff."""

    station = _station()
    area = _area()
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="business_leads",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    text = models.TextField(_("feedback"))
    reported_by = _user(_("reported by"))
    reported_at = models.DateTimeField(_("reported at"))
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    note = models.TextField(_("follow-up"), blank=True)
    followed_by = _user(_("followed up by"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("business lead")
        verbose_name_plural = _("business leads")
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.get_kind_display()}"


class GuidanceDocument(AuditedModel):
    """A document of the station's guidance library (《高危及重要客户保电指南》 …), versioned: what a
    reader sees is its latest ``GuidanceVersion``. ``audience`` decides which portal logins see it (never
    one of ``staff``); with ``must_acknowledge`` each customer's electrician acknowledges every version."""

    station = _station()
    title = models.CharField(_("title"), max_length=150)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    must_acknowledge = models.BooleanField(_("must be acknowledged"), default=False)
    created_by = _user(_("created by"))

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("guidance document")
        verbose_name_plural = _("guidance documents")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class GuidanceVersion(TimeStampedModel):
    """One published version of a guidance document: its text and an optional PDF (checked upload)."""

    document = models.ForeignKey(
        GuidanceDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    attachment = models.FileField(_("attachment"), upload_to="servicedesk/guidance/%Y/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    published_by = _user(_("published by"))
    published_at = models.DateTimeField(_("published at"))

    SCOPE_STATION = "document__station_id"

    class Meta:
        verbose_name = _("guidance version")
        verbose_name_plural = _("guidance versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="sd_guidance_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class ReadReceipt(models.Model):
    """A customer's electrician acknowledged having read one version of a document."""

    version = models.ForeignKey(
        GuidanceVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(USER, verbose_name=_("read by"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    SCOPE_STATION = "version__document__station_id"

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="sd_receipt_once")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.user_id}"


class Announcement(AuditedModel):
    """An announcement (动态: planned outage, tariff change, campaign, 1+1+1 briefing outcome) shown on the
    portal of the customers it reaches and sent to their contacts by e-mail and SMS through the outbox.
    Without a station it reaches the county's customers (sent by county-level staff only)."""

    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AnnouncementKind.choices)
    reach = models.CharField(_("reaches"), max_length=20, choices=AnnouncementReach.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    published_by = _user(_("published by"))
    published_at = models.DateTimeField(_("published at"))
    messages_queued = models.PositiveIntegerField(_("messages queued"), default=0)

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(AuditedModel):
    """A training or drill with customers' electricians: invitations, attendance signed on a phone by the
    session's QR code (a signed link), materials (a PDF) and a short quiz."""

    station = _station()
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    material = models.FileField(_("material"), upload_to="servicedesk/trainings/%Y/", blank=True)
    material_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_by = _user(_("created by"))

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TrainingInvitation(models.Model):
    """A customer invited to a session (its electricians see it on the portal and may sign in)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited at"))

    SCOPE_STATION = "session__station_id"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["session", "customer"], name="sd_invitation_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.customer_id}"


class Attendance(models.Model):
    """An electrician signed in at a session (with the session's QR code), once."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(USER, verbose_name=_("electrician"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))

    SCOPE_STATION = "session__station_id"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="sd_attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"


class QuizQuestion(models.Model):
    """A question of a session's short quiz: options and the index of the right one."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(_("options"))
    correct = models.PositiveSmallIntegerField(_("right option"))

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["session", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class QuizResult(models.Model):
    """An electrician's quiz score for a session, once."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="results")
    user = models.ForeignKey(USER, verbose_name=_("electrician"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("right answers"))
    total = models.PositiveSmallIntegerField(_("questions"))
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("quiz result")
        verbose_name_plural = _("quiz results")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="sd_quiz_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id} {self.score}/{self.total}"


class ForumThread(AuditedModel):
    """A thread of the station's technical forum between electricians and staff, by topic; moderated
    (hidden, locked) by staff."""

    station = _station()
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=150)
    author = _user(_("author"))
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("forum thread")
        verbose_name_plural = _("forum threads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ForumPost(AuditedModel):
    """A post of a thread; a staff member's answer may be marked official. Shown as text (escaped)."""

    thread = models.ForeignKey(
        ForumThread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="posts"
    )
    author = _user(_("author"))
    text = models.TextField(_("text"))
    posted_at = models.DateTimeField(_("posted at"), db_index=True)
    official = models.BooleanField(_("official answer"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)

    SCOPE_STATION = "thread__station_id"

    class Meta:
        verbose_name = _("forum post")
        verbose_name_plural = _("forum posts")
        ordering = ["posted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.pk}"


class ForumAttachment(TimeStampedModel):
    """A file attached to a forum post: a photo (re-encoded) or a PDF, checked by core's upload path and
    served as an attachment only while its post and thread are shown (never a hidden one's)."""

    post = models.ForeignKey(
        ForumPost, verbose_name=_("forum post"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="servicedesk/forum/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    size_bytes = models.PositiveIntegerField(_("size [bytes]"), default=0)
    uploaded_by = _user(_("uploaded by"))

    SCOPE_STATION = "post__thread__station_id"

    class Meta:
        verbose_name = _("forum attachment")
        verbose_name_plural = _("forum attachments")
        ordering = ["post", "pk"]

    def __str__(self) -> str:
        return self.original_name or str(self.pk)


class PublicityCampaign(AuditedModel):
    """An anti-theft publicity campaign (反窃电宣传): where and when, what kind of activity, the materials used
    with their quantities (``materials``: a list of ``{"name", "quantity"}``) and its reach (people reached,
    leaflets handed out, customers visited). Planned → held, or cancelled; each step is a
    ``CampaignEvent``, every field change is in the history."""

    station = _station()
    kind = models.CharField(_("kind of activity"), max_length=20, choices=CampaignKind.choices)
    place = models.CharField(_("place"), max_length=150)
    held_at = models.DateTimeField(_("date and time"), db_index=True)
    materials = models.JSONField(_("materials used"), default=list, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    leaflets_handed_out = models.PositiveIntegerField(_("leaflets handed out"), default=0)
    customers_visited = models.PositiveIntegerField(_("customers visited"), default=0)
    organiser = _user(_("organiser"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    created_by = _user(_("created by"))

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("publicity campaign")
        verbose_name_plural = _("anti-theft publicity campaigns")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.place}"

    @property
    def number(self) -> str:
        return f"XC{self.pk or 0:06d}"

    def get_absolute_url(self) -> str:
        return record_url("servicedesk:campaign_detail", self.pk)

    @property
    def materials_text(self) -> str:
        """The materials as one line: ``宣传单 500；海报 10``."""
        return "；".join(f"{m.get('name', '')} {m.get('quantity', '')}".strip() for m in self.materials or [])


class CampaignPhoto(TimeStampedModel):
    """A photo of a campaign, checked and re-encoded by core's upload path."""

    campaign = models.ForeignKey(
        PublicityCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="servicedesk/campaigns/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = _user(_("uploaded by"))

    SCOPE_STATION = "campaign__station_id"

    class Meta:
        verbose_name = _("campaign photo")
        verbose_name_plural = _("campaign photos")
        ordering = ["campaign", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.original_name}"


class CampaignEvent(StateChangeEvent):
    """One step of a campaign: planned, changed (a note), held, cancelled."""

    campaign = models.ForeignKey(PublicityCampaign, on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), CampaignStatus, blank=True)
    to_status = status_field(_("to"), CampaignStatus)

    subject_field = "campaign"

    class Meta:
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        ordering = ["at", "pk"]


class TypicalCase(AuditedModel):
    """A typical closed theft or violation case (典型案例) published for publicity, with personal data
    removed: no customer name, account, address, phone, ID or meter number, no staff name. What is kept:
    the method, the amounts rounded to yuan, the legal basis, the outcome, the month and the county.

    Drafted (anonymised by ``services.typical_case_prepare``) by one member of staff and published by
    another (``sd_typical_approver_not_preparer``); published ones are shown to the station's electricians.
    """

    station = _station()
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="typical_case"
    )
    title = models.CharField(_("title"), max_length=150)
    county = models.CharField(_("county"), max_length=50)
    month = models.CharField(_("month"), max_length=7)
    method = models.CharField(_("theft or violation method"), max_length=100)
    back_bill_yuan = models.DecimalField(
        _("back-billed [yuan]"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    penalty_yuan = models.DecimalField(
        _("penalty [yuan]"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    total_yuan = models.DecimalField(
        _("total [yuan]"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    text = models.TextField(_("case description"))
    status = models.CharField(
        _("status"), max_length=20, choices=TypicalCaseStatus.choices, default=TypicalCaseStatus.DRAFT
    )
    prepared_by = _user(_("prepared by"))
    prepared_at = models.DateTimeField(_("prepared at"))
    approved_by = _user(_("approved by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(prepared_by__isnull=True)
                | ~Q(approved_by=F("prepared_by")),
                name="sd_typical_approver_not_preparer",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("servicedesk:typical_case_detail", self.pk)


class TypicalCaseEvent(StateChangeEvent):
    """One step of a typical case: drafted, edited (a note), published, withdrawn."""

    typical_case = models.ForeignKey(TypicalCase, on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), TypicalCaseStatus, blank=True)
    to_status = status_field(_("to"), TypicalCaseStatus)

    subject_field = "typical_case"

    class Meta:
        verbose_name = _("typical case event")
        verbose_name_plural = _("typical case events")
        ordering = ["at", "pk"]
