"""Services of the hazards app: every change of state goes through here, one module per section.

- ``lifecycle``: register, edit, photograph and move a hazard; the customer's confirmation;
- ``daily``: the daily run (overdue, reminders, escalation of major hazards to the station head);
- ``monthly``: the monthly notices and the government summary, and the paper copies' receipts;
- ``briefing``: the quarterly briefing report;
- ``contacts``: customer and government contacts, risk warnings;
- ``drills``: the yearly drills.

Functions are named ``<entity>_<action>``, keyword-only, run in one transaction and validate with
``full_clean()`` before saving. They read through ``gridcheck.hazards.selectors`` and have the documents
rendered by ``gridcheck.hazards.pdf``; neither of those imports this package.

Every email, SMS and in-app reminder goes through ``gridcheck.notifications.services.message_enqueue``
with a ``dedup_key``: a second run of the same month or day enqueues nothing again.
"""

from gridcheck.hazards.services.briefing import BriefingResult, hazard_briefing_run
from gridcheck.hazards.services.contacts import (
    customer_contact_create,
    government_contact_create,
    risk_warning_send,
)
from gridcheck.hazards.services.daily import DailyResult, hazard_daily_run
from gridcheck.hazards.services.drills import drill_cancel, drill_record, drill_schedule
from gridcheck.hazards.services.lifecycle import (
    hazard_cancel,
    hazard_correct,
    hazard_create,
    hazard_photo_add,
    hazard_rectification_confirm,
    hazard_told_to_government,
    hazard_transition,
    hazard_update,
)
from gridcheck.hazards.services.monthly import (
    MonthlyResult,
    hazard_monthly_run,
    notice_paper_delivery_record,
)

__all__ = [
    "hazard_cancel",
    "hazard_correct",
    "hazard_told_to_government",
    "BriefingResult",
    "DailyResult",
    "MonthlyResult",
    "customer_contact_create",
    "drill_cancel",
    "drill_record",
    "drill_schedule",
    "government_contact_create",
    "hazard_briefing_run",
    "hazard_create",
    "hazard_daily_run",
    "hazard_monthly_run",
    "hazard_photo_add",
    "hazard_rectification_confirm",
    "hazard_transition",
    "hazard_update",
    "notice_paper_delivery_record",
    "risk_warning_send",
]
