"""Roles and what each may do: the one place where a role turns into permissions.

Every role check in Gridcheck goes through ``has_capability(user, CAPABILITY)`` (or ``user_role``); no
app compares ``user.role`` with a role itself. A check that also depends on an object (the case's station,
the tip-off's reporter) is a capability plus a scope test in the app that owns the object.

Capabilities:

====================  =================================================================================
``view``              use the desk at all: the home page, one's messages (every staff member)
``view_<section>``    read a section's pages, lists, exports and API within the user's scope:
                      ``archive``, ``meter_data``, ``lineloss``, ``detection``, ``inspections``,
                      ``cases``, ``hazards``, ``staff``, ``billing``, ``collection``, ``audit``,
                      ``contracts`` (contracts and temporary supply), ``metering``, ``census``,
                      ``servicedesk``
                      (see ``SECTION_VIEWS``)
``change``            edit archive records
``import``            load archive files and meter data
``manage_staff``      create staff and qualifications
``dispatch``          plan inspections, create and assign work orders, run campaigns
``field_work``        visit customers, record findings, photos, signatures, seals
``see_reporter``      see who reported a tip-off (the reporter is protected)
``handle_cases``      open and carry theft and violation cases
``approve_station``   approve a case at station level (the case's own station head, or an administrator)
``approve_county``    approve a case at county level (a county-level station head or administrator)
``manage_hazards``    register hazards and run the 1+1+1 calendar
``view_outbox``       see the outbox of e-mails and SMS (county-level staff and station heads)
``run_county``        start county-wide jobs (analysis of every station, county notices)
``portal``            a customer's portal login: their own hazards only
``read_meters``       enter meter readings and report anomalies at the meter (the book's reader)
``prepare_bills``     run a cycle's bills, prepare refunds, back-bills and category changes
``check_bills``       check bills before issue and check category changes (never one's own)
``collect``           take payments (counter, rural electrician), deliver dunning notices, record one's
                      bank deposits, ask for a receipt to be cancelled or a payment reversed
``manage_collection`` import bank files, issue and check receipt stock, close the collection month,
                      issue dunning notices, propose disconnections, check cancelled receipts
``run_audit``         start audit runs, assign findings, verify and close them, approve "not a problem"
                      (never for a finding one was assigned or asked about)
``manage_audit_rules`` switch audit rules on and off and change their thresholds (recorded)
``manage_contracts``  draft, sign, renew and end supply contracts; take temporary-supply applications
``manage_metering``   accept, install, change, verify and retire metering assets (meters, CTs, PTs)
``manage_loss_targets`` set loss targets of areas and lines, theoretical losses and rectification plans
``record_loss_analysis`` record the analysis of a flagged area (cause found, measures)
``view_assessment``   read scorecards: one's own, and within one's scope those of others (heads)
``manage_assessment`` propose deductions and bonuses, compute and sign off scorecards, define KPIs
``view_reports``      read the station's reports (report centre, PDFs, XLSX)
``view_servicedesk``  read the electricians' service desk: consultations, complaints, leads, knowledge
``manage_servicedesk`` answer consultations, publish answers, enter and handle complaints (never one about
                      oneself), follow up business leads
====================  =================================================================================

Reading bills is the section ``view_billing``; refunds, back-bills, category changes and book changes are
approved with ``approve_station`` (never by their preparer). Reading collection is ``view_collection``;
reversals and disconnections are approved with ``approve_station`` (never by whoever asked), a
disconnection of an important or high-risk customer and the destruction of receipt stock with
``approve_county``.
"""

import functools

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does; decides what they may do (``ROLE_CAPABILITIES``)."""

    STATION_HEAD = "station_head", _("Station head")
    INSPECTOR = "inspector", _("Inspector")
    METER_READER = "meter_reader", _("Meter reader")
    AUDITOR = "auditor", _("Auditor")
    AREA_MANAGER = "area_manager", _("Area manager")
    GOVERNMENT_LIAISON = "government_liaison", _("Government liaison")
    ADMINISTRATOR = "administrator", _("Administrator")
    # A person at a customer who logs in to the hazard portal: no staff capability, no archive scope.
    CUSTOMER = "customer", _("Customer (portal)")


VIEW, CHANGE, IMPORT, MANAGE_STAFF = "view", "change", "import", "manage_staff"
DISPATCH, FIELD_WORK, SEE_REPORTER = "dispatch", "field_work", "see_reporter"
HANDLE_CASES, APPROVE_STATION, APPROVE_COUNTY = "handle_cases", "approve_station", "approve_county"
MANAGE_HAZARDS, VIEW_OUTBOX, RUN_COUNTY, PORTAL = "manage_hazards", "view_outbox", "run_county", "portal"
VIEW_ARCHIVE, VIEW_METER_DATA, VIEW_LINELOSS = "view_archive", "view_meter_data", "view_lineloss"
VIEW_DETECTION, VIEW_INSPECTIONS, VIEW_CASES = "view_detection", "view_inspections", "view_cases"
VIEW_HAZARDS, VIEW_STAFF = "view_hazards", "view_staff"
VIEW_BILLING, READ_METERS = "view_billing", "read_meters"
PREPARE_BILLS, CHECK_BILLS = "prepare_bills", "check_bills"
VIEW_COLLECTION, COLLECT, MANAGE_COLLECTION = "view_collection", "collect", "manage_collection"
VIEW_AUDIT, RUN_AUDIT, MANAGE_AUDIT_RULES = "view_audit", "run_audit", "manage_audit_rules"
VIEW_CONTRACTS, MANAGE_CONTRACTS = "view_contracts", "manage_contracts"
VIEW_METERING, MANAGE_METERING = "view_metering", "manage_metering"
VIEW_CENSUS = "view_census"
MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS = "manage_loss_targets", "record_loss_analysis"
VIEW_ASSESSMENT, MANAGE_ASSESSMENT, VIEW_REPORTS = "view_assessment", "manage_assessment", "view_reports"
VIEW_SERVICEDESK, MANAGE_SERVICEDESK = "view_servicedesk", "manage_servicedesk"

#: Reading each section. Suspects, cases and visits (with their photos, signatures and amounts) are for
#: the people who act on them; the government liaison reads hazards, notices and aggregate figures only.
SECTION_VIEWS = frozenset(
    {VIEW_ARCHIVE, VIEW_METER_DATA, VIEW_LINELOSS, VIEW_DETECTION, VIEW_INSPECTIONS, VIEW_CASES}
    | {VIEW_HAZARDS, VIEW_STAFF, VIEW_BILLING, VIEW_COLLECTION, VIEW_AUDIT}
    | {VIEW_CONTRACTS, VIEW_METERING, VIEW_CENSUS, VIEW_SERVICEDESK}
)
# The meter reader reads the metering assets (they report a meter's faults), not contracts or the census.
_DESK = frozenset(
    {VIEW, VIEW_ARCHIVE, VIEW_METER_DATA, VIEW_LINELOSS, VIEW_HAZARDS, VIEW_STAFF, VIEW_METERING}
)

_FIELD = SECTION_VIEWS | {VIEW, FIELD_WORK, HANDLE_CASES, MANAGE_HAZARDS, MANAGE_SERVICEDESK}
_BILLING = frozenset({VIEW_BILLING, READ_METERS, PREPARE_BILLS, CHECK_BILLS})
_COLLECTION = frozenset({VIEW_COLLECTION, COLLECT, MANAGE_COLLECTION})
_AUDIT = frozenset({VIEW_AUDIT, RUN_AUDIT})
_HEAD = (
    _FIELD
    | _BILLING
    | _COLLECTION
    | _AUDIT
    | {CHANGE, IMPORT, MANAGE_STAFF, DISPATCH, SEE_REPORTER, APPROVE_STATION, APPROVE_COUNTY}
    | {MANAGE_CONTRACTS, MANAGE_METERING}
    | {MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS, VIEW_ASSESSMENT, MANAGE_ASSESSMENT, VIEW_REPORTS}
)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: _HEAD | {VIEW_OUTBOX, RUN_COUNTY, MANAGE_AUDIT_RULES},
    Role.STATION_HEAD: _HEAD | {VIEW_OUTBOX, RUN_COUNTY},
    # The billing auditor (电费审核) prepares and checks bills; the checker is never the preparer.
    # The marketing auditor (营销稽查) runs the audit rules and works their findings to closure.
    # The auditor is the station's business desk too (营业): contracts and temporary supply.
    Role.AUDITOR: _FIELD
    | _AUDIT
    | {CHANGE, IMPORT, PREPARE_BILLS, CHECK_BILLS, MANAGE_COLLECTION, MANAGE_CONTRACTS, MANAGE_METERING}
    | {RECORD_LOSS_ANALYSIS, VIEW_ASSESSMENT, VIEW_REPORTS},
    # Inspectors install, change and check metering in the field.
    Role.INSPECTOR: _FIELD | {IMPORT, MANAGE_METERING, RECORD_LOSS_ANALYSIS, VIEW_ASSESSMENT, VIEW_REPORTS},
    # The reader collects too (抄表收费员).
    Role.METER_READER: _DESK
    | {VIEW_BILLING, READ_METERS, VIEW_COLLECTION, COLLECT, VIEW_AUDIT, VIEW_ASSESSMENT, VIEW_SERVICEDESK},
    # Answers for the loss of their areas: reads every section, scoped to those areas; as the area's
    # electrician collects there and delivers the dunning notices.
    Role.AREA_MANAGER: SECTION_VIEWS | {VIEW, COLLECT, RECORD_LOSS_ANALYSIS, VIEW_ASSESSMENT, VIEW_REPORTS},
    Role.GOVERNMENT_LIAISON: frozenset({VIEW, VIEW_HAZARDS}),
    Role.CUSTOMER: frozenset({PORTAL}),
}

#: Held only by county-level users (no station of their own), whatever the role grants.
COUNTY_ONLY = frozenset({APPROVE_COUNTY, RUN_COUNTY, MANAGE_AUDIT_RULES})
#: Staff roles that also see the outbox when they work at county level.
COUNTY_OUTBOX_ROLES = frozenset({Role.INSPECTOR, Role.AUDITOR, Role.METER_READER, Role.AREA_MANAGER})
_ALL_STAFF = frozenset().union(*(c for r, c in ROLE_CAPABILITIES.items() if r != Role.CUSTOMER))


def user_role(user) -> str | None:
    """The role of an active, logged-in user; ``None`` for anyone else."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_county_level(user) -> bool:
    """Staff of the county company: no station of their own."""
    return user_role(user) is not None and getattr(user, "station_id", None) is None


def capabilities(user) -> frozenset[str]:
    """Everything ``user`` may do (empty for anonymous or inactive users)."""
    role = user_role(user)
    if role is None:
        return frozenset()
    return _capabilities_of(role, bool(user.is_superuser), user.station_id is None)


@functools.lru_cache(maxsize=64)
def _capabilities_of(role: str, superuser: bool, county_level: bool) -> frozenset[str]:
    """``capabilities`` of a role, worked out once per process: a page asks some fifty times (its menu)."""
    if superuser:
        return _ALL_STAFF
    granted = ROLE_CAPABILITIES.get(role, frozenset())
    if not county_level:
        return granted - COUNTY_ONLY
    if role in COUNTY_OUTBOX_ROLES:
        granted = granted | {VIEW_OUTBOX}
    return granted


def has_capability(user, capability: str) -> bool:
    """Whether ``user`` may do ``capability``; superusers may do everything staff may do."""
    return capability in capabilities(user)


def is_portal_user(user) -> bool:
    """A customer's portal login: a role, never a flag of the session."""
    return user_role(user) == Role.CUSTOMER and not user.is_superuser
