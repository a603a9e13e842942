"""The access policy of the permission matrix, stated independently of ``gridcheck.core.roles`` and
``gridcheck.core.access``: who is who, which section each URL belongs to, and which object its path names.
A new URL needs an entry in ``URLS`` (``test_every_url_is_in_the_matrix`` fails until it has one).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# --- who is who ----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
PORTAL = "portal"  # a customer's portal login (role ``customer``), linked to customer east11
EAST_STAFF = frozenset(
    {"head_east", "inspector_east", "inspector2_east", "reader_east", "auditor_east", "manager_east"}
)
STAFF = EAST_STAFF | {"inspector_west", "liaison", "admin"}
USERS = sorted(STAFF) + [PORTAL, ANONYMOUS]

# --- the policy: who reads each section ----------------------------------------------------------

#: Archive, meter data, line loss and staff: every member of staff but the government liaison.
DATA_READERS = STAFF - {"liaison"}
#: Detection, inspections and cases (suspects, visits with photos and signatures, amounts): the people
#: who act on them; not the meter reader, not the liaison.
CASEWORK_READERS = STAFF - {"liaison", "reader_east"}
SECTIONS: dict[str, frozenset[str]] = {
    # The home page, one's own messages, the API's description (decision: the schema and its docs).
    "desk": STAFF,
    "archive": DATA_READERS,
    "meter_data": DATA_READERS,
    "lineloss": DATA_READERS,
    "staff": DATA_READERS,
    "detection": CASEWORK_READERS,
    "inspections": CASEWORK_READERS,
    "cases": CASEWORK_READERS,
    # Hazards: every member of staff including the liaison.
    "hazards": STAFF,
    # The customer portal: the portal customer only.
    "portal": frozenset({PORTAL}),
    # A hazard's notice PDF and photos: staff who read hazards, and the portal customer for their own.
    "hazard_files": STAFF | {PORTAL},
    # Decision: the hazards API is the portal's API too (docs/hazards.md: list, detail, notices and
    # statistics of the customer's own hazards, and ``confirm`` of a rectification); it shows a portal
    # customer nothing the portal pages do not. To close it, take PORTAL out here and out of
    # ``gridcheck.hazards.api.views.HazardAccess``.
    "hazards_api": STAFF | {PORTAL},
    # Decision (the policy does not say): the outbox of e-mails and SMS, with its attachments and its
    # API, is for station heads and county-level staff other than the liaison (here: head_east, admin).
    "outbox": frozenset({"head_east", "admin"}),
    # Reading and billing: every member of staff but the government liaison (the reader included).
    "billing": STAFF - {"liaison"},
    # Collection: every member of staff but the government liaison (reader and area manager collect).
    "collection": STAFF - {"liaison"},
    # Marketing audit: every member of staff but the government liaison (findings are worked by
    # readers, inspectors and area managers too).
    "audit": STAFF - {"liaison"},
    # Supply contracts and temporary supply, and the business census: the people who act on customers
    # (not the meter reader, not the liaison).
    "contracts": CASEWORK_READERS,
    "census": CASEWORK_READERS,
    # Metering assets: every member of staff but the liaison (the reader reports a meter's faults).
    "metering": DATA_READERS,
}

# Pages that need more than reading their section even for GET (the forms that change something).
CHANGERS = frozenset({"head_east", "auditor_east", "admin"})  # edit archive records
IMPORTERS = frozenset(
    {"head_east", "inspector_east", "inspector2_east", "auditor_east", "inspector_west", "admin"}
)
FIELD_STAFF = IMPORTERS  # field work, cases, hazards: heads, inspectors, auditors, administrators
DISPATCHERS = frozenset({"head_east", "admin"})  # plan, dispatch, register tip-offs, run campaigns
BILL_PREPARERS = frozenset({"head_east", "auditor_east", "admin"})  # books, bill runs, refunds, changes
#: The reader's phone pages: meter readers (the book's own) and whoever may prepare bills.
METER_READERS = BILL_PREPARERS | {"reader_east"}
#: Take payments, deliver notices, record their deposits (the reader and the area's electrician too).
COLLECTORS = frozenset({"head_east", "reader_east", "manager_east", "admin"})
#: Bank files, receipt stock, the month close, disconnections (the billing clerk, the head).
COLLECTION_MANAGERS = frozenset({"head_east", "auditor_east", "admin"})
#: Start audit runs, assign, verify and close findings, decide "not a problem".
AUDITORS = frozenset({"head_east", "auditor_east", "admin"})
#: Switch audit rules and change their thresholds: county administrators.
RULE_MANAGERS = frozenset({"admin"})

#: Where an object of each kind lies. ``station``: the east object is the east station's (and in area
#: S01-A1, the area manager's, or station-wide): its station's staff, the area manager and county-level
#: users see it; the west station's staff get a 404; the west twin is the "other station" object.
#: ``county``: county-wide (runs, tariffs, meter-data imports): every reader of the section.
#: ``personal``: one's own in-app message; anyone else's is a 404, the administrator's too.
OBJECT_KINDS = {
    **dict.fromkeys(
        [
            "station",
            "line",
            "area",
            "customer",
            "meteringpoint",
            "meter",
            "importbatch",
            "user",
            "qualification",
            "readingrate",
            "areamonthloss",
            "linemonthloss",
            "losstarget",
            "suspect",
            "workorder",
            "visit",
            "visitphoto",
            "plan",
            "campaign",
            "tipoff",
            "seal",
            "pliers",
            "case",
            "hazard",
            "hazardphoto",
            "notice",
            "paper_notice",
            "drill",
            "message",
            "attachment",
            "readingbook",
            "bookchange",
            "readingcycle",
            "bill",
            "billadjustment",
            "categorychange",
            "readeranomaly",
            "meterreading",
            "payment",
            "reversal",
            "bankfile",
            "dunningnotice",
            "disconnection",
            "receiptstock",
            "receiptcancellation",
            "bankdeposit",
            "finding",
        ],
        "station",
    ),
    **dict.fromkeys(["tariff", "meterdataimport", "analysisrun", "detectionrun", "auditrun"], "county"),
    "inbox": "personal",
}


@dataclass
class Url:
    """One URL name's entry: its section, the object its ``pk`` names, its literal path arguments."""

    section: str
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    #: Who may GET it, where that is narrower than the section's readers (a form that changes something).
    get_roles: frozenset | None = None
    #: A plausible POST body (or ``object -> body``), so that a missing check would show as a change
    #: rather than as a refused form.
    data: dict | Callable = field(default_factory=dict)
    #: A bare redirect to its section's first page: judged after following it.
    follow: bool = False
    #: The name of the path argument that takes the object's key.
    pk_kwarg: str = "pk"


U = Url


def _customer_form(customer) -> dict:
    """The customer edit form as its page fills it, with a new name."""
    from django.forms.models import model_to_dict

    from gridcheck.archive.services import CUSTOMER_EDITABLE_FIELDS

    values = model_to_dict(customer, fields=CUSTOMER_EDITABLE_FIELDS)
    return {k: "" if v is None else v for k, v in values.items()} | {"name": "改名"}


CASE_DATA = {"signed": "yes", "signer_name": "张三", "notified_on": "2026-11-20"}
HAZARD = {"to_status": "rectifying", "note": "x"}

DECIDE = {"decision": "approve", "comment": "同意"}

PAY = {"amount_yuan": "1.00", "kind": "bills", "channel": "counter", "idempotency_key": "matrix-pay"}

URLS: dict[str, Url] = {
    "home": U("desk"),
    # collection
    "collection:account_list": U("collection"),
    "collection:account_detail": U("collection", "customer", pk_kwarg="customer_pk"),
    "collection:account_statement_pdf": U("collection", "customer", pk_kwarg="customer_pk"),
    "collection:payment_create": U(
        "collection", "customer", pk_kwarg="customer_pk", get_roles=COLLECTORS, data=PAY
    ),
    "collection:payment_list": U("collection"),
    "collection:payment_detail": U("collection", "payment"),
    "collection:payment_receipt": U("collection", "payment"),
    "collection:reversal_request": U("collection", "payment", data={"reason": "收错户"}),
    "collection:reversal_list": U("collection"),
    "collection:reversal_detail": U("collection", "reversal"),
    "collection:reversal_decide": U("collection", "reversal", data=DECIDE),
    "collection:bank_file_list": U("collection"),
    "collection:bank_file_detail": U("collection", "bankfile"),
    "collection:bank_file_upload": U("collection", get_roles=COLLECTION_MANAGERS, data={"bank": "农行"}),
    "collection:month_close": U("collection", data={"month": "2020-01"}),
    "collection:dunning_list": U("collection"),
    "collection:dunning_due": U("collection", data={"channel": ""}),
    "collection:dunning_issue": U(
        "collection", "customer", get_roles=COLLECTORS | COLLECTION_MANAGERS, data={"channel": "paper"}
    ),
    "collection:dunning_detail": U("collection", "dunningnotice"),
    "collection:dunning_pdf": U("collection", "dunningnotice"),
    "collection:dunning_deliver": U("collection", "dunningnotice", data={"note": "户主签收"}),
    "collection:disconnection_list": U("collection"),
    "collection:disconnection_propose": U(
        "collection", "customer", get_roles=COLLECTION_MANAGERS, data={"reason": "多次催交仍未缴费"}
    ),
    "collection:disconnection_detail": U("collection", "disconnection"),
    "collection:disconnection_pdf": U("collection", "disconnection"),
    "collection:disconnection_decide": U("collection", "disconnection", data=DECIDE),
    "collection:disconnection_order": U("collection", "disconnection"),
    "collection:disconnection_execute": U("collection", "disconnection", data={"note": "已断开"}),
    "collection:disconnection_reconnected": U("collection", "disconnection", data={"note": "已复电"}),
    "collection:stock_list": U("collection"),
    "collection:stock_issue": U("collection", get_roles=COLLECTION_MANAGERS, data={"kind": "receipt"}),
    "collection:stock_detail": U("collection", "receiptstock"),
    "collection:stock_cancel": U("collection", "receiptstock", data={"number": "7", "reason": "污损"}),
    "collection:stock_return": U("collection", "receiptstock"),
    "collection:stock_destroy_request": U("collection", "receiptstock", data={"reason": "期满"}),
    "collection:stock_destroy_approve": U("collection", "receiptstock", data=DECIDE),
    "collection:cancellation_check": U("collection", "receiptcancellation", data=DECIDE),
    "collection:deposit_list": U("collection"),
    "collection:deposit_create": U(
        "collection", get_roles=COLLECTORS | COLLECTION_MANAGERS, data={"amount_yuan": "1.00"}
    ),
    "collection:deposit_remit": U("collection", data={"remitted_on": "2026-01-01", "reference": "x"}),
    "collection:daily_cash": U("collection"),
    "collection:daily_cash_xlsx": U("collection"),
    "collection:reconciliation": U("collection"),
    "collection:reconciliation_xlsx": U("collection"),
    "collection:rural_collections": U("collection"),
    "collection:rural_collections_xlsx": U("collection"),
    "collection:index": U("collection", follow=True),
    "collection:dashboard": U("collection"),
    "collection:recovery": U("collection"),
    "collection:arrears": U("collection"),
    "collection:late_fee_income": U("collection", data={"year": "2025", "target_yuan": "100.00"}),
    # billing
    "billing:book_list": U("billing"),
    "billing:book_create": U("billing", get_roles=BILL_PREPARERS, data={"code": "X-01", "name": "x"}),
    "billing:book_detail": U("billing", "readingbook"),
    "billing:book_open_cycle": U("billing", "readingbook", data={"period": "2027-01"}),
    "billing:book_change_request": U(
        "billing",
        "readingbook",
        get_roles=BILL_PREPARERS,
        data={"reading_day": 12, "cycle_months": 1, "reason": "x"},
    ),
    "billing:book_change_decide": U("billing", "bookchange", data=DECIDE),
    "billing:cycle_list": U("billing"),
    "billing:cycle_detail": U("billing", "readingcycle"),
    "billing:cycle_open_next": U("billing", "readingcycle"),
    "billing:cycle_collect": U("billing", "readingcycle"),
    "billing:cycle_bill": U("billing", "readingcycle"),
    "billing:cycle_check": U("billing", "readingcycle"),
    "billing:cycle_issue": U("billing", "readingcycle"),
    "billing:reader_home": U("billing", get_roles=METER_READERS),
    "billing:reader_cycle": U("billing", "readingcycle", get_roles=METER_READERS),
    "billing:reading_entry": U("billing", "readingcycle", get_roles=METER_READERS, data={"total": "99999"}),
    "billing:anomaly_report": U("billing", "readingcycle", get_roles=METER_READERS, data={"kind": "stolen"}),
    "billing:index": U("billing", follow=True),
    "billing:bill_list": U("billing"),
    "billing:bill_detail": U("billing", "bill"),
    "billing:bill_check": U("billing", "bill", data={"note": "x"}),
    "billing:adjustment_create": U(
        "billing",
        "bill",
        get_roles=BILL_PREPARERS,
        data={"kind": "correction", "reason": "x", "total_kwh": "1"},
    ),
    "billing:adjustment_list": U("billing"),
    "billing:adjustment_detail": U("billing", "billadjustment"),
    "billing:adjustment_decide": U("billing", "billadjustment", data=DECIDE),
    "billing:adjustment_withdraw": U("billing", "billadjustment", data={"reason": "算错了"}),
    "billing:category_change_list": U("billing"),
    "billing:category_change_create": U("billing", get_roles=BILL_PREPARERS),
    "billing:category_change_detail": U("billing", "categorychange"),
    "billing:category_change_check": U("billing", "categorychange", data={"note": "x"}),
    "billing:category_change_decide": U("billing", "categorychange", data=DECIDE),
    "billing:category_change_withdraw": U("billing", "categorychange", data={"reason": "客户撤回申请"}),
    "billing:anomaly_list": U("billing"),
    "billing:anomaly_detail": U("billing", "readeranomaly"),
    "billing:anomaly_work_order": U("billing", "readeranomaly"),
    "billing:anomaly_resolve": U("billing", "readeranomaly", data={"outcome": "x"}),
    "billing:reading_photo": U("billing", "meterreading"),
    "billing:billing_terms": U(
        "billing", "customer", get_roles=BILL_PREPARERS, data={"basic_charge_basis": "demand"}
    ),
    "billing:area_report": U("billing"),
    "billing:area_report_xlsx": U("billing"),
    "billing:business_report": U("billing"),
    "billing:business_report_xlsx": U("billing"),
    "billing:business_report_pdf": U("billing"),
    "billing:business_report_sign": U("billing", data={"action": "prepare", "month": "2025-03"}),
    "billing:posting_index": U("billing"),
    "billing:posting_sheet": U("billing", "readingcycle"),
    "billing:posting_sheet_pdf": U("billing", "readingcycle"),
    # archive
    "archive:station_list": U("archive"),
    "archive:station_detail": U("archive", "station"),
    "archive:line_list": U("archive"),
    "archive:line_detail": U("archive", "line"),
    "archive:area_list": U("archive"),
    "archive:area_detail": U("archive", "area"),
    "archive:index": U("archive", follow=True),
    "archive:customer_list": U("archive"),
    "archive:customer_detail": U("archive", "customer"),
    "archive:customer_edit": U("archive", "customer", get_roles=CHANGERS, data=_customer_form),
    "archive:meteringpoint_list": U("archive"),
    "archive:meteringpoint_detail": U("archive", "meteringpoint"),
    "archive:meter_list": U("archive"),
    "archive:meter_detail": U("archive", "meter"),
    "archive:tariff_list": U("archive"),
    "archive:search": U("archive"),
    "archive:import": U("archive", get_roles=IMPORTERS),
    "archive:import_template": U("archive", kwargs={"entity": "customers"}),
    "archive:importbatch_list": U("archive"),
    "archive:importbatch_detail": U("archive", "importbatch"),
    # staff
    "users:user_list": U("staff"),
    "users:user_detail": U("staff", "user"),
    # The certificates are the staff section's (on the staff pages and the API too): its readers, not
    # only those who manage staff.
    "users:qualification_list": U("staff"),
    # hazards
    "hazards:dashboard": U("hazards"),
    "hazards:calendar_run": U("hazards", kwargs={"what": "monthly"}),
    "hazards:hazard_list": U("hazards"),
    "hazards:hazard_create": U("hazards", get_roles=FIELD_STAFF),
    "hazards:hazard_detail": U("hazards", "hazard"),
    "hazards:hazard_transition": U("hazards", "hazard", data=HAZARD),
    "hazards:hazard_correct": U("hazards", "hazard", get_roles=FIELD_STAFF, data={"reason": "x"}),
    "hazards:hazard_cancel": U("hazards", "hazard", data={"reason": "登记错误"}),
    "hazards:notice_list": U("hazards"),
    "hazards:notice_detail": U(
        "hazards", "paper_notice", data={"delivered_on": "2026-11-20", "received_by": "x"}
    ),
    "hazards:notice_pdf": U("hazard_files", "notice"),
    "hazards:notice_receipt": U("hazards", "paper_notice"),
    "hazards:photo": U("hazard_files", "hazardphoto"),
    "hazards:customer_safety": U(
        "hazards",
        "customer",
        data={"action": "drill", "customer": "0", "scenario": "停电", "scheduled_on": "2026-12-30"},
    ),
    "hazards:drill_record": U(
        "hazards", "drill", get_roles=FIELD_STAFF, data={"held_on": "2026-11-20", "participants": "9"}
    ),
    "hazards:government_contacts": U("hazards", data={"department": "应急局", "name": "李四"}),
    "hazards:risk_customers": U("hazards"),
    "hazards:portal": U("portal"),
    "hazards:portal_hazard": U("portal", "hazard", data={"note": "已整改"}),
    # notifications
    "notifications:inbox": U("desk"),
    "notifications:inbox_message": U("desk", "inbox"),
    "notifications:inbox_read_all": U("desk"),
    "notifications:preferences": U("desk"),
    "notifications:outbox": U("outbox"),
    "notifications:message_detail": U("outbox", "message"),
    "notifications:message_retry": U("outbox", "message"),
    "notifications:message_cancel": U("outbox", "message"),
    "notifications:attachment_download": U("outbox", "attachment"),
    # meter data. Decision: the bare section prefixes (/readings/, /lineloss/, /detection/,
    # /inspections/) are redirects that decide nothing; whoever follows one meets the rule of its first
    # page, so they are judged after following (``follow``) and are not write URLs.
    "/readings/": U("meter_data", follow=True),
    "readings:dashboard": U("meter_data"),
    "readings:import": U("meter_data", get_roles=IMPORTERS),
    "readings:import_list": U("meter_data"),
    "readings:import_detail": U("meter_data", "meterdataimport"),
    "readings:customer_consumption_json": U("meter_data", "customer"),
    # line loss
    "/lineloss/": U("lineloss", follow=True),
    "lineloss:dashboard": U("lineloss"),
    "lineloss:areamonthloss_list": U("lineloss"),
    "lineloss:area_loss": U("lineloss", "area"),
    "lineloss:run_list": U("lineloss"),
    "lineloss:run_start": U("lineloss", data={"month": "2026-10", "backend": "duckdb"}),
    "lineloss:run_detail": U("lineloss", "analysisrun"),
    "lineloss:run_progress": U("lineloss", "analysisrun"),
    "lineloss:losstarget_list": U("lineloss"),
    # detection
    "/detection/": U("detection", follow=True),
    "detection:suspect_list": U("detection"),
    "detection:suspect_detail": U("detection", "suspect"),
    "detection:suspect_chart": U("detection", "suspect"),
    "detection:suspect_work_order_create": U("detection", "suspect"),
    "detection:suspect_dismiss": U("detection", "suspect", data={"note": "误报"}),
    "detection:run_list": U("detection"),
    "detection:run_start": U("detection", data={"month": "2026-10"}),
    "detection:run_detail": U("detection", "detectionrun"),
    "detection:run_progress": U("detection", "detectionrun"),
    # Candidate models: read by the detection section; approved or rejected with approve_station
    # (heads, administrators), checked before the candidate is looked up.
    "detection:candidate_list": U("detection"),
    "detection:candidate_decide": U("detection", kwargs={"pk": 1}, data={"decision": "approve"}),
    # cases
    "cases:case_list": U("cases"),
    "cases:case_create": U("cases", get_roles=FIELD_STAFF),
    "cases:labels_csv": U("cases"),
    "cases:case_detail": U("cases", "case"),
    "cases:case_compute": U("cases", "case"),
    "cases:case_notify": U("cases", "case", data=CASE_DATA),
    "cases:case_submit": U("cases", "case"),
    "cases:case_approve": U("cases", "case", data={"decision": "approve"}),
    "cases:case_payment": U(
        "cases", "case", data={"amount_yuan": "1", "paid_on": "2026-11-20", "receipt_number": "R1"}
    ),
    "cases:case_close": U("cases", "case"),
    "cases:case_notice_pdf": U("cases", "case"),
    "cases:case_payment_notice_pdf": U("cases", "case"),
    # inspections
    "inspections:index": U("inspections", follow=True),
    "inspections:workorder_list": U("inspections"),
    "inspections:workorder_overdue": U("inspections"),
    "inspections:my_work": U("inspections"),
    "inspections:workorder_create": U("inspections", get_roles=FIELD_STAFF),
    "inspections:workorder_detail": U("inspections", "workorder"),
    "inspections:visit": U("inspections", "workorder", get_roles=FIELD_STAFF),
    "inspections:workorder_assign": U("inspections", "workorder"),
    "inspections:workorder_action": U(
        "inspections", "workorder", {"action": "cancel"}, data={"reason": "重复"}
    ),
    "inspections:visit_detail": U("inspections", "visit"),
    "inspections:visit_file": U("inspections", "visit", {"what": "inspector1"}),
    "inspections:plan_list": U("inspections"),
    "inspections:plan_generate": U("inspections"),
    "inspections:plan_detail": U("inspections", "plan"),
    "inspections:plan_action": U("inspections", "plan", {"action": "publish"}),
    "inspections:dispatch": U("inspections"),
    "inspections:weekly": U("inspections"),
    "inspections:campaign_list": U("inspections"),
    "inspections:campaign_create": U("inspections", get_roles=DISPATCHERS),
    "inspections:campaign_detail": U("inspections", "campaign"),
    "inspections:tipoff_list": U("inspections"),
    "inspections:tipoff_create": U("inspections", get_roles=DISPATCHERS),
    "inspections:tipoff_detail": U("inspections", "tipoff"),
    "inspections:tipoff_action": U(
        "inspections", "tipoff", {"action": "conclude"}, data={"status": "unfounded", "outcome": "无"}
    ),
    "seals:seal_list": U("inspections"),
    "seals:sealbatch_create": U("inspections"),
    "seals:seal_issue": U("inspections", kwargs={"action": "issue"}),
    "seals:seal_detail": U("inspections", "seal"),
    "seals:seal_action": U(
        "inspections", "seal", {"action": "break"}, data={"kind": "broken", "reason": "x"}
    ),
    "seals:pliers_list": U("inspections"),
    "seals:pliers_create": U("inspections", kwargs={"action": "create"}),
    "seals:pliers_action": U("inspections", "pliers", {"action": "return"}),
    # marketing audit: rules are county-wide (by code), runs county-wide, findings of a station
    "audit:index": U("audit", follow=True),
    "audit:rule_list": U("audit"),
    "audit:rule_detail": U("audit", kwargs={"code": "DF-01"}),
    # POST only; the change itself needs manage_audit_rules.
    "audit:rule_change": U("audit", kwargs={"code": "DF-01"}, data={"reason": "x", "enabled": ""}),
    "audit:run_list": U("audit"),
    "audit:run_start": U("audit", get_roles=AUDITORS, data={"month": "2020-01", "module": "business"}),
    "audit:run_detail": U("audit", "auditrun"),
    "audit:run_progress": U("audit", "auditrun"),
    "audit:finding_list": U("audit"),
    "audit:finding_detail": U("audit", "finding"),
    "audit:finding_assign": U("audit", "finding", data={"note": "x"}),
    "audit:finding_rectify": U("audit", "finding", data={"resolution": "已改正"}),
    "audit:finding_verify": U("audit", "finding", data={"decision": "accept"}),
    "audit:finding_close": U("audit", "finding", data={"note": "x"}),
    "audit:finding_dismiss_request": U("audit", "finding", data={"reason": "不是问题"}),
    "audit:finding_dismiss_decide": U("audit", "finding", data={"decision": "approve"}),
    "audit:report": U("audit"),
    "audit:report_pdf": U("audit"),
    "audit:report_xlsx": U("audit"),
    "api:audit-rule-list": U("audit"),
    "api:audit-rule-detail": U("audit", kwargs={"code": "DF-01"}),
    "api:audit-rule-change": U("audit", kwargs={"code": "DF-01"}, data={"reason": "x", "enabled": False}),
    "api:audit-run-list": U("audit", data={"month": "2020-01", "module": "business"}),
    "api:audit-run-detail": U("audit", "auditrun"),
    "api:audit-finding-list": U("audit"),
    "api:audit-finding-detail": U("audit", "finding"),
    "api:audit-finding-assign": U("audit", "finding", data={"assignee": 1}),
    "api:audit-finding-rectify": U("audit", "finding", data={"resolution": "已改正"}),
    "api:audit-finding-verify": U("audit", "finding", data={"accepted": True}),
    "api:audit-finding-close": U("audit", "finding", data={"note": "x"}),
    "api:audit-finding-dismiss-request": U("audit", "finding", data={"reason": "不是问题"}),
    "api:audit-finding-dismiss-decide": U("audit", "finding", data={"approved": True}),
    # the API's description (decision, see the module docstring) and the routers' roots (links only)
    "api-schema": U("desk"),
    "api-docs": U("desk"),
    "api-redoc": U("desk"),
    **{
        f"api:api-root@/api/{app}/": U("desk")
        for app in (
            "archive",
            "staff",
            "hazards",
            "notifications",
            "readings",
            "lineloss",
            "detection",
            "cases",
            "inspections",
            "billing",
            "collection",
            "audit",
        )
    },
    # API: archive
    **{
        f"api:{basename}-{suffix}": U("archive", None if suffix == "list" else basename)
        for basename in ("station", "line", "area", "customer", "meteringpoint", "meter", "tariff")
        for suffix in ("list", "detail", "history")
    },
    "api:importbatch-list": U("archive"),
    "api:importbatch-detail": U("archive", "importbatch"),
    # API: staff
    "api:user-list": U("staff"),
    "api:user-detail": U("staff", "user"),
    "api:qualification-list": U("staff"),
    "api:qualification-detail": U("staff", "qualification"),
    # API: hazards (the portal's API too, see SECTIONS["hazards_api"])
    "api:hazard-statistics": U("hazards_api"),
    "api:hazard-list": U("hazards_api"),
    "api:hazard-detail": U("hazards_api", "hazard"),
    "api:hazard-confirm": U("hazards_api", "hazard", data={"note": "已整改"}),
    "api:hazard-transition": U("hazards_api", "hazard", data=HAZARD),
    "api:notice-list": U("hazards_api"),
    "api:notice-detail": U("hazards_api", "notice"),
    # API: the outbox
    "api:message-list": U("outbox"),
    "api:message-detail": U("outbox", "message"),
    # API: meter data
    "api:meterdataimport-list": U("meter_data"),
    "api:meterdataimport-detail": U("meter_data", "meterdataimport"),
    "api:readingrate-list": U("meter_data"),
    "api:readingrate-detail": U("meter_data", "readingrate"),
    # API: line loss
    "api:areamonthloss-list": U("lineloss"),
    "api:areamonthloss-detail": U("lineloss", "areamonthloss"),
    "api:linemonthloss-list": U("lineloss"),
    "api:linemonthloss-detail": U("lineloss", "linemonthloss"),
    "api:analysisrun-list": U("lineloss", data={"month": "2026-10-01"}),
    "api:analysisrun-detail": U("lineloss", "analysisrun"),
    "api:losstarget-list": U("lineloss"),
    "api:losstarget-detail": U("lineloss", "losstarget"),
    # API: detection
    "api:suspect-list": U("detection"),
    "api:suspect-detail": U("detection", "suspect"),
    "api:detectionrun-list": U("detection"),
    "api:detectionrun-detail": U("detection", "detectionrun"),
    # API: cases
    "api:case-labels": U("cases"),
    "api:case-list": U("cases"),
    "api:case-detail": U("cases", "case"),
    # API: inspections
    "api:workorder-list": U("inspections", data={"source": "manual", "customer": 0, "reason": "x"}),
    "api:workorder-detail": U("inspections", "workorder"),
    "api:workorder-assign": U(
        "inspections", "workorder", data={"inspectors": [], "visit_date": "2026-11-20"}
    ),
    "api:visit-list": U("inspections"),
    "api:visit-detail": U("inspections", "visit"),
    "api:inspectionplan-list": U("inspections"),
    "api:inspectionplan-detail": U("inspections", "plan"),
    "api:seal-list": U("inspections"),
    "api:seal-detail": U("inspections", "seal"),
    "api:tipoff-list": U("inspections"),
    "api:tipoff-detail": U("inspections", "tipoff"),
    # API: billing (a reading is posted by the book's reader or billing staff, through reading_enter)
    "api:collection-payment-list": U("collection", data={"customer": 0, "amount_yuan": "1.00"}),
    "api:collection-payment-detail": U("collection", "payment"),
    "api:bankdeposit-list": U("collection"),
    "api:bankdeposit-detail": U("collection", "bankdeposit"),
    "api:receiptstock-list": U("collection"),
    "api:receiptstock-detail": U("collection", "receiptstock"),
    "api:reconciliation-list": U("collection"),
    "api:dunningnotice-list": U("collection"),
    "api:dunningnotice-detail": U("collection", "dunningnotice"),
    "api:disconnection-list": U("collection"),
    "api:disconnection-detail": U("collection", "disconnection"),
    "api:figures-recovery-list": U("collection"),
    "api:figures-arrears-list": U("collection"),
    "api:bill-list": U("billing"),
    "api:bill-detail": U("billing", "bill"),
    "api:bill-history": U("billing", "bill"),
    "api:readingbook-list": U("billing"),
    "api:readingbook-detail": U("billing", "readingbook"),
    "api:readingbook-history": U("billing", "readingbook"),
    "api:readingcycle-list": U("billing"),
    "api:readingcycle-detail": U("billing", "readingcycle"),
    "api:meterreading-list": U("billing", data={"cycle": 0, "meter": 0, "total": "99999"}),
    "api:meterreading-detail": U("billing", "meterreading"),
    "api:billadjustment-list": U("billing"),
    "api:billadjustment-detail": U("billing", "billadjustment"),
    "api:categorychange-list": U("billing"),
    "api:categorychange-detail": U("billing", "categorychange"),
}

# --- metering asset ledger (gridcheck.metering): assets, notices and meter changes of a station -------
OBJECT_KINDS.update(dict.fromkeys(["meteringasset", "rectificationnotice", "meterchange"], "station"))
#: Receive, install, change and check metering: heads, inspectors, auditors, administrators.
METERING_MANAGERS = frozenset(
    {"head_east", "inspector_east", "inspector2_east", "auditor_east", "inspector_west", "admin"}
)
METER_CHANGE_API = {
    "old_asset_number": "M1200000001",
    "new_asset_number": "MXeast01",
    "changed_on": "2026-11-03",
    "reason": "fault",
    "old_registers": {"total": "1"},
    "new_registers": {"total": "0"},
    "second_person": 1,
    "seals_used": ["JLMX1000002"],
}
URLS.update(
    {
        "metering:asset_list": U("metering"),
        "metering:due_list": U("metering"),
        "metering:obsolete_list": U("metering"),
        "metering:asset_receive": U(
            "metering",
            get_roles=METERING_MANAGERS,
            data={"kind": "ct", "asset_number": "CTX1", "accuracy_class": "0.5S", "ratio": "40"},
        ),
        "metering:asset_detail": U("metering", "meteringasset"),
        "metering:asset_action": U(
            "metering", "meteringasset", kwargs={"action": "verify"}, data={"verified_on": "2026-11-01"}
        ),
        "metering:type_list": U("metering"),
        "metering:type_create": U(
            "metering", data={"kind": "meter", "manufacturer": "某厂", "model_number": "X1"}
        ),
        "metering:type_obsolete": U("metering", kwargs={"pk": 0}, data={"reason": "淘汰"}),
        "metering:fault_list": U("metering"),
        "metering:notice_list": U("metering"),
        "metering:notice_detail": U("metering", "rectificationnotice"),
        "metering:notice_close": U("metering", "rectificationnotice", data={"outcome": "已整改"}),
        "metering:change_list": U("metering"),
        "metering:change_create": U(
            "metering", get_roles=METERING_MANAGERS, data={"old_asset": "M1200000002", "new_total": "0"}
        ),
        "metering:change_detail": U("metering", "meterchange"),
        "metering:acceptance_list": U("metering"),
        "metering:acceptance_create": U(
            "metering", get_roles=METERING_MANAGERS, data={"metering_point": "MP1100000001", "assets": "x"}
        ),
        "api:api-root@/api/metering/": U("desk"),
        "api:metering-asset-list": U("metering"),
        "api:metering-asset-detail": U("metering", "meteringasset"),
        "api:metering-asset-due": U("metering"),
        "api:metering-change-list": U("metering", data=METER_CHANGE_API),
        "api:metering-change-detail": U("metering", "meterchange"),
    }
)
# --- business census (gridcheck.census): campaigns, records, photos, discrepancies of a station ------
OBJECT_KINDS.update(
    dict.fromkeys(["censuscampaign", "censusrecord", "censusphoto", "discrepancy"], "station")
)
URLS.update(
    {
        "census:index": U("census", follow=True),
        "census:campaign_list": U("census"),
        # Planning needs dispatch (heads, administrators).
        "census:campaign_create": U(
            "census", get_roles=DISPATCHERS, data={"quarter": "2026Q4", "starts_on": "2026-10-01"}
        ),
        "census:campaign_detail": U("census", "censuscampaign"),
        "census:campaign_start": U("census", "censuscampaign"),
        "census:campaign_close": U("census", "censuscampaign"),
        # The phone page of a visit: field staff; the customer is the object (the campaign is the user's).
        "census:visit": U("census", "customer", get_roles=FIELD_STAFF, data={"consent_given": "on"}),
        "census:my_census": U("census", get_roles=FIELD_STAFF),
        "census:record_detail": U("census", "censusrecord"),
        "census:record_signature": U("census", "censusrecord"),
        "census:photo": U("census", "censusphoto"),
        "census:discrepancy_list": U("census"),
        "census:discrepancy_detail": U("census", "discrepancy"),
        "census:discrepancy_propose": U(
            "census", "discrepancy", data={"resolution": "audit_finding", "note": "核实"}
        ),
        "census:discrepancy_decide": U(
            "census", "discrepancy", data={"decision": "reject", "note": "不同意"}
        ),
        "api:api-root@/api/census/": U("desk"),
        "api:census-campaign-list": U("census"),
        "api:census-campaign-detail": U("census", "censuscampaign"),
        "api:census-record-list": U("census", data={"campaign": 0, "customer": 0, "data": {}}),
        "api:census-record-detail": U("census", "censusrecord"),
        "api:census-record-submit": U("census", "censusrecord"),
        "api:census-discrepancy-list": U("census"),
        "api:census-discrepancy-detail": U("census", "discrepancy"),
        "api:census-discrepancy-propose": U(
            "census", "discrepancy", data={"resolution": "audit_finding", "note": "核实"}
        ),
        "api:census-discrepancy-approve": U("census", "discrepancy", data={"approved": False, "note": "x"}),
    }
)
# --- temporary supply (gridcheck.temporary_supply): supplies and extensions of a station -------------
OBJECT_KINDS.update(dict.fromkeys(["temporarysupply", "temporarysupplyextension"], "station"))
#: Apply, connect, extend and close temporary supply: heads, auditors (the business desk), administrators.
TEMPORARY_SUPPLY_MANAGERS = frozenset({"head_east", "auditor_east", "admin"})
TEMPORARY_SUPPLY_APPLY = {
    "area": "S01-A1",
    "applicant_name": "某公司",
    "applied_on": "2026-01-05",
    "purpose": "施工",
    "address": "某地",
    "capacity_kva": "10",
    "tariff_code": "GEN-1",
    "start_on": "2026-01-10",
    "end_on": "2026-02-10",
    "metering_mode": "capacity_time",
}
URLS.update(
    {
        "temporary_supply:index": U("contracts", follow=True),
        "temporary_supply:supply_list": U("contracts"),
        "temporary_supply:supply_apply": U(
            "contracts", get_roles=TEMPORARY_SUPPLY_MANAGERS, data=TEMPORARY_SUPPLY_APPLY
        ),
        "temporary_supply:supply_detail": U("contracts", "temporarysupply"),
        "temporary_supply:supply_file": U("contracts", "temporarysupply"),
        "temporary_supply:supply_approve": U("contracts", "temporarysupply", data={"comment": "同意"}),
        "temporary_supply:supply_reject": U("contracts", "temporarysupply", data={"reason": "不同意"}),
        "temporary_supply:supply_connect": U(
            "contracts", "temporarysupply", get_roles=TEMPORARY_SUPPLY_MANAGERS, data={"on": "2026-01-10"}
        ),
        "temporary_supply:supply_extend": U(
            "contracts",
            "temporarysupply",
            get_roles=TEMPORARY_SUPPLY_MANAGERS,
            data={"requested_on": "2026-01-10", "new_end_on": "2099-01-01", "reason": "x"},
        ),
        "temporary_supply:supply_close": U(
            "contracts",
            "temporarysupply",
            get_roles=TEMPORARY_SUPPLY_MANAGERS,
            data={"closed_on": "2026-01-10", "completion": "removed"},
        ),
        "temporary_supply:extension_decide": U(
            "contracts", "temporarysupplyextension", data={"decision": "approve", "comment": "x"}
        ),
        "temporary_supply:unauthorised_list": U("contracts"),
        # Recorded by whoever manages contracts or handles cases (a theft case may follow).
        "temporary_supply:unauthorised_record": U(
            "contracts",
            get_roles=FIELD_STAFF,
            data={"area": 0, "found_on": "2026-01-10", "address": "x", "connected_by": "staff", "facts": "x"},
        ),
        "api:api-root@/api/temporary-supply/": U("desk"),
        "api:temporary-supply-list": U("contracts", data=TEMPORARY_SUPPLY_APPLY),
        "api:temporary-supply-detail": U("contracts", "temporarysupply"),
        "api:temporary-supply-approve": U("contracts", "temporarysupply", data={"comment": "同意"}),
        "api:temporary-supply-reject": U("contracts", "temporarysupply", data={"reason": "不同意"}),
        "api:temporary-supply-connect": U("contracts", "temporarysupply", data={"on": "2026-01-10"}),
        "api:temporary-supply-extend": U(
            "contracts", "temporarysupply", data={"new_end_on": "2099-01-01", "reason": "x"}
        ),
        "api:temporary-supply-extension-decide": U("contracts", "temporarysupply", data={"approve": True}),
        "api:temporary-supply-close": U("contracts", "temporarysupply", data={"completion": "removed"}),
    }
)
#: Django's own views, outside the matrix (see the module docstring).

# --- supply contracts (gridcheck.contracts): a station's contract register --------------------------------
OBJECT_KINDS.update(dict.fromkeys(["contract", "contractloan", "contractextension"], "station"))
#: Draft, sign, renew, supersede, terminate, lend: whoever manages contracts (head, auditor, administrator).
CONTRACT_MANAGERS = frozenset({"head_east", "auditor_east", "admin"})
CONTRACT_DRAFT = {"account_number": "1100000002", "kind": "standard_temporary", "valid_from": "2026-01-01"}
URLS.update(
    {
        "contracts:index": U("contracts", follow=True),
        "contracts:contract_list": U("contracts"),
        "contracts:missing_list": U("contracts"),
        "contracts:expiring_list": U("contracts"),
        "contracts:contract_draft": U("contracts", get_roles=CONTRACT_MANAGERS, data=CONTRACT_DRAFT),
        "contracts:contract_detail": U("contracts", "contract"),
        "contracts:contract_edit": U(
            "contracts",
            "contract",
            get_roles=CONTRACT_MANAGERS,
            data={"valid_from": "2026-01-01", "valid_to": "2026-06-01", "clause_other": "改"},
        ),
        "contracts:contract_sign": U(
            "contracts",
            "contract",
            get_roles=CONTRACT_MANAGERS,
            data={"signed_on": "2026-01-01", "customer_signatory": "甲"},
        ),
        "contracts:contract_approve_term": U("contracts", "contract"),
        "contracts:contract_renew": U(
            "contracts",
            "contract",
            get_roles=CONTRACT_MANAGERS,
            data={
                "new_valid_to": "2099-01-01",
                "supplier_confirmed_on": "2026-01-01",
                "customer_confirmed_on": "2026-01-01",
            },
        ),
        "contracts:contract_supersede": U(
            "contracts",
            "contract",
            get_roles=CONTRACT_MANAGERS,
            data={"valid_from": "2026-01-01", "capacity_kva": "999", "clause_other": "改"},
        ),
        "contracts:contract_terminate": U(
            "contracts", "contract", get_roles=CONTRACT_MANAGERS, data={"on": "2026-01-01", "reason": "x"}
        ),
        "contracts:agreement_add": U(
            "contracts", "contract", get_roles=CONTRACT_MANAGERS, data={"kind": "dispatch", "number": "X"}
        ),
        "contracts:loan_out": U(
            "contracts",
            "contract",
            get_roles=CONTRACT_MANAGERS,
            data={"borrower_name": "某人", "lent_on": "2026-01-01", "due_on": "2026-01-10"},
        ),
        "contracts:loan_return": U(
            "contracts", "contractloan", get_roles=CONTRACT_MANAGERS, data={"returned_on": "2026-12-31"}
        ),
        "contracts:scan_upload": U("contracts", "contract", get_roles=CONTRACT_MANAGERS),
        "contracts:scan_download": U("contracts", "contract"),
        "contracts:extension_file": U("contracts", "contractextension"),
        "api:api-root@/api/contracts/": U("desk"),
        "api:contract-list": U("contracts"),
        "api:contract-detail": U("contracts", "contract"),
        "api:contract-sign": U(
            "contracts", "contract", data={"signed_on": "2026-01-01", "customer_signatory": "甲"}
        ),
        "api:contract-renew": U(
            "contracts",
            "contract",
            data={
                "new_valid_to": "2099-01-01",
                "supplier_confirmed_on": "2026-01-01",
                "customer_confirmed_on": "2026-01-01",
            },
        ),
        "api:contract-terminate": U("contracts", "contract", data={"on": "2026-01-01", "reason": "x"}),
    }
)

# --- loss management (gridcheck.lineloss): indicators, line targets, analyses, plans, theoretical loss --
OBJECT_KINDS.update(
    dict.fromkeys(
        ["lossindicator", "linelosstarget", "lossanalysis", "rectificationplan", "theoreticalloss"],
        "station",
    )
)
#: Set loss indicators, area targets and theoretical losses (manage_loss_targets): heads, administrators.
LOSS_TARGET_MANAGERS = frozenset({"head_east", "admin"})
#: Record the analysis of a flagged area, open and close its plan (record_loss_analysis): every reader of
#: line loss but the meter reader.
LOSS_ANALYSTS = DATA_READERS - {"reader_east"}
ANALYSIS = {
    "cause": "theft_suspects",
    "cause_detail": "绕越计量",
    "measures": "现场检查",
    "analysed_on": "2026-11-05",
}
URLS.update(
    {
        "lineloss:linemonthloss_list": U("lineloss"),
        "lineloss:target_manage": U("lineloss"),
        # POST only; the change needs manage_loss_targets.
        "lineloss:indicator_set": U(
            "lineloss", data={"station": 0, "month": "2099-01", "max_loss_rate_percent": "5"}
        ),
        "lineloss:area_target_set": U(
            "lineloss", "area", data={"month": "2099-01", "max_loss_rate_percent": "5"}
        ),
        "lineloss:analysis_list": U("lineloss"),
        "lineloss:analysis_record": U(
            "lineloss", "area", pk_kwarg="area", get_roles=LOSS_ANALYSTS, data=ANALYSIS | {"month": "2026-09"}
        ),
        "lineloss:analysis_detail": U("lineloss", "lossanalysis"),
        "lineloss:plan_open": U("lineloss", "lossanalysis", data={"measures": "x", "responsible": 0}),
        "lineloss:plan_list": U("lineloss"),
        "lineloss:plan_close": U("lineloss", "rectificationplan", data={"result": "已整改"}),
        "lineloss:theory_list": U("lineloss"),
        "lineloss:theory_record": U(
            "lineloss",
            "area",
            pk_kwarg="area",
            get_roles=LOSS_TARGET_MANAGERS,
            data={"method": "entered", "calculated_on": "2026-11-05", "loss_rate_percent": "3"},
        ),
        "lineloss:fourway": U("lineloss"),
        "api:lossindicator-list": U(
            "lineloss", data={"station": 0, "month": "2099-01", "max_loss_rate_percent": "5"}
        ),
        "api:lossindicator-detail": U("lineloss", "lossindicator"),
        "api:linelosstarget-list": U("lineloss"),
        "api:linelosstarget-detail": U("lineloss", "linelosstarget"),
        "api:lossanalysis-list": U("lineloss", data=ANALYSIS | {"area": 0, "month": "2026-09-01"}),
        "api:lossanalysis-detail": U("lineloss", "lossanalysis"),
        "api:rectificationplan-list": U("lineloss"),
        "api:rectificationplan-detail": U("lineloss", "rectificationplan"),
        "api:theoreticalloss-list": U("lineloss", data={"area": 0, "loss_rate_percent": "3"}),
        "api:theoreticalloss-detail": U("lineloss", "theoreticalloss"),
    }
)

# --- cases: correction, cancellation, settlement, write-off and the legal step ----------------------
URLS.update(
    {
        "cases:case_edit": U("cases", "case", get_roles=FIELD_STAFF, data={"facts": "改"}),
        "cases:case_cancel": U("cases", "case", data={"cancel-reason": "误立案"}),
        "cases:case_settle": U(
            "cases",
            "case",
            data={
                "settle-amount_yuan": "1",
                "settle-kind": "negotiated",
                "settle-settled_on": "2026-11-20",
                "settle-reference": "x",
            },
        ),
        "cases:case_write_off": U(
            "cases", "case", data={"writeoff-amount_yuan": "1", "writeoff-reason": "x"}
        ),
        # POST only; the approval needs approve_county (county-level users: here the administrator).
        "cases:case_write_off_approve": U("cases", "case"),
        "cases:case_legal": U("cases", "case", data={"legal-step": "not_due", "legal-reason": "x"}),
        "cases:case_police_receipt": U("cases", "case"),
        "cases:case_settlement_document": U("cases", "case"),
    }
)

# --- assessment (gridcheck.assessment): scorecards, adjustments, KPI definitions ----------------------
#: Scorecards: every member of staff but the liaison reads their own (view_assessment). Those who see
#: others' cards within their scope (manage_assessment or approve_station: heads, administrators) read
#: the rest. The matrix's scorecard is inspector_east's (the other station's, inspector_west's): read by
#: its person and by those who see others' cards; to everyone else it does not exist (404). An adjustment
#: is read with its scorecard.
SECTIONS["assessment"] = DATA_READERS
SECTIONS["scorecards"] = frozenset({"head_east", "admin", "inspector_east"})
#: Compute the month, propose adjustments, define KPIs, run the yearly evaluation (manage_assessment);
#: sign off and approve adjustments (approve_station): heads and administrators.
ASSESSMENT_MANAGERS = frozenset({"head_east", "admin"})
OBJECT_KINDS.update(dict.fromkeys(["scorecard", "adjustment"], "station"))
OBJECT_KINDS["kpi"] = "county"
KPI = {
    "code": "X-01",
    "name": "x",
    "subject": "inspector",
    "formula": "1",
    "reason": "x",
    "effective_from": "2099-01-01",
}
URLS.update(
    {
        "assessment:index": U("assessment", follow=True),
        "assessment:scorecard_list": U("assessment"),
        "assessment:scorecard_detail": U("scorecards", "scorecard"),
        "assessment:scorecard_sign": U("scorecards", "scorecard"),
        "assessment:adjustment_propose": U(
            "scorecards", "scorecard", data={"kind": "deduction", "points": "1", "reason": "漏检"}
        ),
        "assessment:adjustment_decide": U("scorecards", "adjustment", data={"decision": "approve"}),
        "assessment:adjustment_evidence": U("scorecards", "adjustment"),
        # The station's month and ranking: those who see others' cards.
        "assessment:month": U("assessment", get_roles=ASSESSMENT_MANAGERS),
        "assessment:compute": U("assessment", data={"station": 0, "month": "2026-10"}),
        "assessment:kpi_list": U("assessment"),
        "assessment:kpi_define": U("assessment", get_roles=ASSESSMENT_MANAGERS, data=KPI),
        "assessment:evaluation_list": U("assessment"),
        "assessment:evaluate": U("assessment", data={"year": "2025"}),
        "api:api-root@/api/assessment/": U("desk"),
        "api:assessment-scorecard-list": U("assessment"),
        "api:assessment-scorecard-detail": U("scorecards", "scorecard"),
        # The API's actions answer a GET with 405 to whoever reads assessment (nothing is looked up), so
        # they are in the section "assessment"; the refusals of a write by those who may read the card but
        # not act on it are the app's tests', of another station's card the other-station matrix's.
        "api:assessment-scorecard-adjust": U(
            "assessment", "scorecard", data={"kind": "deduction", "points": "1", "reason": "漏检"}
        ),
        "api:assessment-scorecard-sign": U("assessment", "scorecard"),
        "api:assessment-adjustment-list": U("assessment"),
        "api:assessment-adjustment-detail": U("scorecards", "adjustment"),
        "api:assessment-adjustment-decide": U("assessment", "adjustment", data={"approve": True}),
        "api:assessment-kpi-list": U("assessment", data=KPI),
        "api:assessment-kpi-detail": U("assessment", "kpi"),
    }
)

# --- reports (gridcheck.reports): the station's generated reports (view_reports) ----------------------
#: Heads, inspectors, auditors, area managers and administrators; not the meter reader, not the liaison.
SECTIONS["reports"] = STAFF - {"liaison", "reader_east"}
OBJECT_KINDS["generatedreport"] = "station"
REPORT = {"kind": "lineloss_monthly", "station": 0, "period": "2026-10"}
URLS.update(
    {
        "reports:centre": U("reports"),
        "reports:generate": U("reports", data=REPORT),
        "reports:download": U("reports", "generatedreport", kwargs={"fmt": "pdf"}),
        "api:api-root@/api/reports/": U("desk"),
        "api:reports-report-list": U("reports"),
        "api:reports-report-detail": U("reports", "generatedreport"),
        "api:reports-report-download": U("reports", "generatedreport", kwargs={"fmt": "pdf"}),
        "api:reports-report-centre": U("reports"),
        "api:reports-report-generate": U("reports", data=REPORT),
    }
)

# --- the electricians' service desk (gridcheck.servicedesk): consultations, complaints, leads ------------
#: The staff side: every member of staff but the government liaison (the reader answers billing questions
#: too, and reads the queue); answering and entering complaints is the app's tests' (manage_servicedesk).
SECTIONS["servicedesk"] = STAFF - {"liaison"}
#: The electricians' portal pages: the portal customer only.
SECTIONS["servicedesk_portal"] = frozenset({PORTAL})
#: A consultation's photo and the service desk API: its staff readers, and the portal customer for their
#: own customer's consultations and complaints and their station's knowledge base (the views narrow it).
SECTIONS["servicedesk_shared"] = SECTIONS["servicedesk"] | {PORTAL}
OBJECT_KINDS.update(
    dict.fromkeys(
        [
            "consultation",
            "consultationphoto",
            "knowledgearticle",
            "complaint",
            "businesslead",
            "guidancedocument",
            "guidanceversion",
            "announcement",
            "trainingsession",
            "forumthread",
            "forumattachment",
            "publicitycampaign",
            "campaignphoto",
            "typicalcase",
        ],
        "station",
    )
)
#: Enter a complaint taken by the hotline: whoever handles the service desk (heads, inspectors, auditors).
SERVICEDESK_MANAGERS = FIELD_STAFF
URLS.update(
    {
        "servicedesk:consultation_list": U("servicedesk"),
        "servicedesk:consultation_detail": U("servicedesk", "consultation", data={"answer": "按规程处理"}),
        "servicedesk:consultation_publish": U("servicedesk", "consultation"),
        "servicedesk:dashboard": U("servicedesk"),
        "servicedesk:knowledge_list": U("servicedesk"),
        "servicedesk:photo": U("servicedesk_shared", "consultationphoto"),
        "servicedesk:complaint_list": U("servicedesk"),
        "servicedesk:complaint_enter": U(
            "servicedesk",
            get_roles=SERVICEDESK_MANAGERS,
            data={"channel": "hotline", "author_name": "x", "subject": "counter", "text": "x"},
        ),
        "servicedesk:complaint_detail": U("servicedesk", "complaint", data={"answer": "已处理"}),
        "servicedesk:complaint_close": U("servicedesk", "complaint", data={"note": "x"}),
        "servicedesk:lead_list": U("servicedesk"),
        "servicedesk:lead_follow_up": U("servicedesk", "businesslead", data={"status": "contacted"}),
        "servicedesk:portal": U("servicedesk_portal"),
        "servicedesk:portal_ask": U(
            "servicedesk_portal", data={"topic": "safety", "subject": "x", "question": "x"}
        ),
        "servicedesk:portal_consultation": U("servicedesk_portal", "consultation", data={"rating": "5"}),
        "servicedesk:portal_knowledge": U("servicedesk_portal"),
        "servicedesk:portal_complaint": U("servicedesk_portal", data={"subject": "counter", "text": "x"}),
        "servicedesk:portal_feedback": U("servicedesk_portal", data={"kind": "expand", "text": "x"}),
        "api:api-root@/api/servicedesk/": U("desk"),
        "api:servicedesk-consultation-list": U(
            "servicedesk_shared", data={"topic": "safety", "subject": "x", "question": "x"}
        ),
        "api:servicedesk-consultation-detail": U("servicedesk_shared", "consultation"),
        "api:servicedesk-consultation-answer": U("servicedesk_shared", "consultation", data={"answer": "x"}),
        "api:servicedesk-consultation-rate": U("servicedesk_shared", "consultation", data={"rating": 5}),
        "api:servicedesk-consultation-publish": U("servicedesk_shared", "consultation"),
        "api:servicedesk-article-list": U("servicedesk_shared"),
        "api:servicedesk-article-detail": U("servicedesk_shared", "knowledgearticle"),
        "api:servicedesk-complaint-list": U("servicedesk_shared"),
        "api:servicedesk-complaint-detail": U("servicedesk_shared", "complaint"),
        "api:servicedesk-complaint-answer": U("servicedesk_shared", "complaint", data={"answer": "x"}),
        "api:servicedesk-complaint-close": U("servicedesk_shared", "complaint", data={"note": "x"}),
        # The guidance library: staff read every audience of their scope; the portal customer the
        # documents meant for it (its PDF, its acknowledgement); a new document or version: the managers.
        "servicedesk:guidance_list": U(
            "servicedesk", data={"title": "x", "audience": "customers", "body": "x"}
        ),
        "servicedesk:guidance_detail": U("servicedesk", "guidancedocument", data={"body": "第二版"}),
        "servicedesk:guidance_attachment": U("servicedesk_shared", "guidanceversion"),
        "servicedesk:portal_guidance": U("servicedesk_portal"),
        "servicedesk:portal_guidance_detail": U("servicedesk_portal", "guidancedocument"),
        "api:servicedesk-guidance-list": U("servicedesk_shared"),
        "api:servicedesk-guidance-detail": U("servicedesk_shared", "guidancedocument"),
        "api:servicedesk-guidance-acknowledge": U("servicedesk_shared", "guidancedocument"),
        "servicedesk:announcement_list": U(
            "servicedesk", data={"kind": "other", "reach": "all", "title": "x", "body": "x"}
        ),
        "servicedesk:portal_announcements": U("servicedesk_portal"),
        "api:servicedesk-announcement-list": U("servicedesk_shared"),
        "api:servicedesk-announcement-detail": U("servicedesk_shared", "announcement"),
        # Trainings: staff read them; the QR code is for whoever runs the session (manage_servicedesk);
        # the material and the portal pages are the invited customer's electrician's too.
        "servicedesk:training_list": U(
            "servicedesk",
            data={
                "kind": "study",
                "title": "x",
                "starts_at": "2026-12-20T09:00",
                "place": "x",
                "invite": "high_risk",
            },
        ),
        "servicedesk:training_detail": U("servicedesk", "trainingsession"),
        "servicedesk:training_qr": U("servicedesk", "trainingsession", get_roles=SERVICEDESK_MANAGERS),
        "servicedesk:training_material": U("servicedesk_shared", "trainingsession"),
        "servicedesk:portal_trainings": U("servicedesk_portal"),
        # The technical forum: every reader of the desk replies; official answers and moderation are the
        # services' (manage_servicedesk); the portal customer posts in its station's forum.
        "servicedesk:forum_list": U("servicedesk"),
        "servicedesk:forum_thread": U("servicedesk", "forumthread", data={"text": "x"}),
        "servicedesk:forum_moderate": U("servicedesk", "forumthread", data={"action": "lock"}),
        "servicedesk:portal_forum": U(
            "servicedesk_portal", data={"topic": "safety", "title": "x", "text": "x"}
        ),
        "servicedesk:portal_forum_thread": U("servicedesk_portal", "forumthread", data={"text": "x"}),
        "servicedesk:portal_training": U("servicedesk_portal", "trainingsession", data={"q_0": "0"}),
        "servicedesk:portal_training_sign": U("servicedesk_portal", "trainingsession", data={"t": "forged"}),
        # A forum post's files: whoever reads its thread (the portal customer: its station's forum).
        "servicedesk:forum_attachment": U("servicedesk_shared", "forumattachment"),
        # Anti-theft publicity: staff read the campaigns and typical cases of their scope; recording and
        # changing a campaign, drafting, publishing (a second person) and withdrawing a typical case are
        # the managers' (the services); the portal customer reads its station's published typical cases.
        "servicedesk:campaign_list": U("servicedesk"),
        "servicedesk:campaign_create": U(
            "servicedesk",
            get_roles=SERVICEDESK_MANAGERS,
            data={"kind": "stall", "place": "x", "held_at": "2026-12-01T09:00"},
        ),
        "servicedesk:campaign_detail": U("servicedesk", "publicitycampaign"),
        "servicedesk:campaign_edit": U(
            "servicedesk",
            "publicitycampaign",
            get_roles=SERVICEDESK_MANAGERS,
            data={"kind": "stall", "place": "改了", "held_at": "2026-12-01T09:00"},
        ),
        "servicedesk:campaign_step": U(
            "servicedesk", "publicitycampaign", data={"action": "cancel", "reason": "x"}
        ),
        "servicedesk:campaign_photo": U("servicedesk", "campaignphoto"),
        "servicedesk:typical_case_list": U("servicedesk"),
        "servicedesk:typical_case_detail": U(
            "servicedesk", "typicalcase", data={"title": "改了", "text": "改了"}
        ),
        "servicedesk:typical_case_step": U("servicedesk", "typicalcase", data={"action": "withdraw"}),
        "servicedesk:portal_typical_cases": U("servicedesk_portal"),
        "api:servicedesk-campaign-list": U(
            "servicedesk", data={"kind": "stall", "place": "x", "held_at": "2026-12-01T09:00:00+08:00"}
        ),
        "api:servicedesk-campaign-detail": U("servicedesk", "publicitycampaign", data={"place": "改了"}),
        "api:servicedesk-campaign-hold": U("servicedesk", "publicitycampaign"),
        "api:servicedesk-campaign-cancel": U("servicedesk", "publicitycampaign", data={"reason": "x"}),
        "api:servicedesk-typical-case-list": U("servicedesk_shared"),
        "api:servicedesk-typical-case-detail": U("servicedesk_shared", "typicalcase"),
    }
)

# --- the search box, the hazard form's customer picker, the meter-data column mapping -----------------
URLS.update(
    {
        # Every member of staff; the hits are each within the user's scope (the apps' tests).
        "search": U("desk"),
        # JSON for the hazard form: whoever manages hazards (not the area manager, not the liaison).
        "hazards:customer_lookup": U("hazards", get_roles=FIELD_STAFF),
        # A file waiting for its columns (its token in the uploader's session; see the world fixture):
        # whoever imports meter data.
        "readings:import_mapping": U(
            "meter_data", kwargs={"token": "matrix-pending"}, get_roles=IMPORTERS, data={"save": ""}
        ),
    }
)
