"""The choice sets of the electricians' service desk (电工之家)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Topic(models.TextChoices):
    """What a consultation is about; each topic has its answer time limit (``servicedesk.answer_hours.<topic>``)."""

    SAFETY = "safety", _("Safe use of electricity")
    METERING = "metering", _("Metering")
    BILLING = "billing", _("Billing and tariffs")
    CAPACITY_CHANGE = "capacity_change", _("Capacity change")
    OUTAGE = "outage", _("Outages")
    TECHNICAL = "technical", _("Technical guidance")


class ConsultationStatus(models.TextChoices):
    """Asked → answered → rated (the asker's satisfaction closes it)."""

    ASKED = "asked", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    RATED = "rated", _("Rated")


class TimeLimit(models.TextChoices):
    """Where a consultation stands against its answer time limit (the staff queue's column)."""

    IN_TIME = "in_time", _("Within the time limit")
    DUE_SOON = "due_soon", _("Due within a day")
    OVERDUE = "overdue", _("Overdue")
    ANSWERED_IN_TIME = "answered_in_time", _("Answered in time")
    ANSWERED_LATE = "answered_late", _("Answered late")


class Rating(models.IntegerChoices):
    """The asker's satisfaction with the answer."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neutral")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


class ComplaintChannel(models.TextChoices):
    """Where a service complaint came in: the portal, or entered by staff from the hotline, WeChat, Weibo."""

    PORTAL = "portal", _("Electricians' portal")
    HOTLINE = "hotline", pgettext_lazy("complaint channel", "Hotline")
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")


class ComplaintSubject(models.TextChoices):
    """The service complained about."""

    COUNTER = "counter", _("Business counter")
    READER = "reader", _("Meter reading and collection")
    INSPECTOR = "inspector", _("Inspection")
    OUTAGE = "outage", _("Outage handling")
    OTHER = "other", _("Other service")


class ComplaintStatus(models.TextChoices):
    """Received → answered → closed."""

    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Handled and closed")


class FeedbackKind(models.TextChoices):
    """A customer's business plans, routed to the marketing staff as a lead."""

    EXPAND = "expand", _("Plans to expand")
    ADD_LOAD = "add_load", _("Plans to add load")
    CLOSE = "close", _("Plans to close or suspend")
    OTHER = "other", _("Other business feedback")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("business lead", "New")
    CONTACTED = "contacted", _("Contacted")
    CLOSED = "closed", _("Handled and closed")


class Audience(models.TextChoices):
    """Who a guidance document is for: every customer of the station, a class of them, or staff only."""

    CUSTOMERS = "customers", _("All customers")
    HIGH_RISK = "high_risk", _("High-risk customers")
    IMPORTANT = "important", _("Important customers")
    STAFF = "staff", _("Staff only")


class AnnouncementKind(models.TextChoices):
    """What an announcement (动态) tells."""

    PLANNED_OUTAGE = "planned_outage", _("Planned outage")
    TARIFF = "tariff", _("Tariff change")
    CAMPAIGN = "campaign", _("Publicity campaign")
    BRIEFING = "briefing", _("1+1+1 briefing outcome")
    OTHER = "other", _("Other news")


class AnnouncementReach(models.TextChoices):
    """Which customers an announcement reaches (within its station, or the county's when it has none)."""

    ALL = "all", _("All customers")
    HIGH_RISK = "high_risk", _("High-risk customers")
    IMPORTANT = "important", _("Important customers")


class TrainingKind(models.TextChoices):
    """A training or drill session held with customers' electricians."""

    STUDY = "study", _("Anti-accident study")
    REHEARSAL = "rehearsal", _("Accident rehearsal")
    ONSITE = "onsite", _("On-site explanation")


class CampaignKind(models.TextChoices):
    """What kind of anti-theft publicity activity (反窃电宣传) a campaign was."""

    STALL = "stall", _("Publicity stall (market, square)")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visits")
    LECTURE = "lecture", _("Lecture or meeting")
    SCHOOL = "school", _("Talk at a school")
    MEDIA = "media", _("Media, WeChat or broadcast")
    OTHER = "other", _("Other activity")


class CampaignStatus(models.TextChoices):
    """Planned → held (its reach recorded), or cancelled."""

    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class TypicalCaseStatus(models.TextChoices):
    """A typical case: drafted (anonymised) → published by a second person, or withdrawn."""

    DRAFT = "draft", _("Draft, waiting for approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
