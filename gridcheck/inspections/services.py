"""Services of the inspections app: every change of state goes through here.

Functions are named ``<entity>_<action>``, keyword-only, run in one transaction and validate with
``full_clean()`` before saving. Each save names the acting user and a reason on the history record
(django-simple-history), which is the audit trail shown on every object's page.

Public entry points used by other apps:
- ``work_order_create(*, source, customer, reason, created_by=None, due_on=None, related=None)``
- ``work_order_assign(*, work_order, inspectors, visit_date, assigned_by)``
- ``visit_submit(*, work_order, data, user, photos=())``
"""

from __future__ import annotations

import base64
import binascii
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridcheck.core.images import image_check as core_image_check
from gridcheck.core.periods import month_bounds
from gridcheck.inspections.checklists import checklist_keys
from gridcheck.inspections.choices import (
    TRANSITIONS,
    CampaignStatus,
    ChecklistResult,
    FindingKind,
    PlanStatus,
    TipOffStatus,
    WorkOrderSource,
    WorkOrderStatus,
)
from gridcheck.inspections.models import (
    Assignment,
    Campaign,
    InspectionPlan,
    TipOff,
    Visit,
    VisitPhoto,
    WorkOrder,
)

# --- helpers -------------------------------------------------------------------------------------


def _save(obj: Model, *, user=None, reason: str = "") -> Model:
    """Validate and save ``obj``, naming ``user`` and ``reason`` on its history record."""
    obj.full_clean()
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj._change_reason = reason[:100] if reason else None
    obj.save()
    return obj


def _next_number(model, field: str, prefix: str) -> str:
    """The next free ``prefix`` + 5-digit sequence number of ``model.field``."""
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:05d}"


def _decode_data_url(value: str) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URL (as a canvas or the offline draft produces)."""
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        raise ValidationError(_("Not an image."))
    header, payload = value.split(",", 1)
    if ";base64" not in header:
        raise ValidationError(_("Not an image."))
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("Not an image.")) from None


def image_check(*, content: bytes, name: str, max_bytes: int | None = None) -> tuple[str, str]:
    """A visit photo or signature: JPEG or PNG, at most ``GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES``."""
    return core_image_check(
        content=content, name=name, max_bytes=max_bytes or settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES
    )


def _exif_capture_time(content: bytes) -> datetime.datetime | None:
    """DateTimeOriginal of a JPEG's EXIF, as an aware datetime in the local time zone, if present."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
    except Exception:  # noqa: BLE001 - any unreadable EXIF simply has no capture time
        return None
    if not raw:
        return None
    try:
        naive = datetime.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def _signature_file(value, *, name: str, label: str) -> ContentFile:
    """A signature pad's PNG data URL as a file; refused when missing or blank."""
    if not value:
        raise ValidationError(_("The signature of %(who)s is missing.") % {"who": label})
    content = _decode_data_url(value)
    image_check(content=content, name=name)
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        rgba = image.convert("RGBA")
        # A blank pad is all transparent (or all white): nothing was drawn.
        alpha_box = rgba.getchannel("A").getbbox()
        ink_box = Image.eval(rgba.convert("L"), lambda v: 255 - v).getbbox()
        if alpha_box is None or ink_box is None:
            raise ValidationError(_("The signature of %(who)s is missing.") % {"who": label})
    return ContentFile(content, name=name)


# --- work orders ---------------------------------------------------------------------------------


def _related_ref(related) -> tuple[str, int | None]:
    if related is None:
        return "", None
    if isinstance(related, Model):
        return f"{related._meta.app_label}.{related._meta.model_name}", related.pk
    raise ValidationError(_("The related object must be a saved record."))


@transaction.atomic
def work_order_create(
    *,
    source: str,
    customer,
    reason: str,
    created_by=None,
    due_on: datetime.date | None = None,
    related=None,
    plan: InspectionPlan | None = None,
    plan_slot: str = "",
    campaign: Campaign | None = None,
) -> WorkOrder:
    """Open a work order to inspect ``customer``; ``source`` is one of ``WorkOrderSource``.

    ``due_on`` defaults to ``GRIDCHECK_WORK_ORDER_DUE_DAYS`` days from today; ``related`` (any saved
    record: a suspect, an alert, a hazard, a tip-off) is remembered as the order's origin.
    """
    if source not in WorkOrderSource.values:
        raise ValidationError({"source": _("Unknown work order source %(source)s.") % {"source": source}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A work order needs a reason.")})
    today = timezone.localdate()
    related_type, related_id = _related_ref(related)
    order = WorkOrder(
        source=source,
        customer=customer,
        station_id=customer.station_id,
        reason=reason.strip(),
        due_on=due_on or today + datetime.timedelta(days=settings.GRIDCHECK_WORK_ORDER_DUE_DAYS),
        related_type=related_type,
        related_id=related_id,
        plan=plan,
        plan_slot=plan_slot,
        campaign=campaign,
        created_by=created_by,
        status=WorkOrderStatus.CREATED,
    )
    prefix = f"GD{today:%Y%m%d}"
    for _attempt in range(5):
        order.number = _next_number(WorkOrder, "number", prefix)
        try:
            with transaction.atomic():
                return _save(order, user=created_by, reason=_("Work order created"))
        except IntegrityError:
            if WorkOrder.objects.filter(number=order.number).exists():
                order.pk = None
                continue
            raise
    raise ValidationError(_("Could not number the work order; try again."))


def _transition(order: WorkOrder, *, to_status: str, user, reason: str) -> WorkOrder:
    if to_status not in TRANSITIONS.get(order.status, ()):
        raise ValidationError(
            _("A work order cannot go from %(from)s to %(to)s.")
            % {"from": order.get_status_display(), "to": WorkOrderStatus(to_status).label}
        )
    order.status = to_status
    return _save(order, user=user, reason=reason)


def assignment_problems(*, work_order: WorkOrder, inspectors, visit_date: datetime.date) -> list[str]:
    """Why ``inspectors`` may not be sent to ``work_order`` on ``visit_date`` (empty: they may)."""
    people = list({p.pk: p for p in inspectors}.values())
    problems = []
    if len(people) < 2:
        problems.append(_("An inspection needs at least two inspectors; %(n)s chosen.") % {"n": len(people)})
    for person in people:
        if person.station_id is not None and person.station_id != work_order.station_id:
            problems.append(
                _("%(who)s belongs to %(station)s, not to the work order's station.")
                % {"who": person, "station": person.station}
            )
        if person.valid_qualification_on(visit_date) is None:
            latest = person.qualifications.order_by("-expires_on").first()
            if latest is None:
                problems.append(_("%(who)s has no inspection qualification.") % {"who": person})
            else:
                problems.append(
                    _(
                        "%(who)s's qualification %(number)s is not valid on %(date)s (valid %(from)s to %(to)s)."
                    )
                    % {
                        "who": person,
                        "number": latest.certificate_number,
                        "date": visit_date.isoformat(),
                        "from": latest.issued_on.isoformat(),
                        "to": latest.expires_on.isoformat(),
                    }
                )
    return problems


@transaction.atomic
def work_order_assign(
    *, work_order: WorkOrder, inspectors, visit_date: datetime.date, assigned_by
) -> WorkOrder:
    """Send two or more inspectors of the work order's station, each qualified on ``visit_date``.

    Refuses (``ValidationError`` listing every reason) with fewer than two inspectors, an inspector whose
    qualification is missing or not valid on the visit date, or an inspector of another station.
    Reassigning replaces the previous inspectors.
    """
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    people = list({p.pk: p for p in inspectors}.values())
    problems = assignment_problems(work_order=work_order, inspectors=people, visit_date=visit_date)
    if problems:
        raise ValidationError(problems)
    if WorkOrderStatus.ASSIGNED not in TRANSITIONS.get(work_order.status, ()):
        raise ValidationError(
            _("A %(status)s work order cannot be assigned.") % {"status": work_order.get_status_display()}
        )
    work_order.assignments.all().delete()
    for person in people:
        Assignment.objects.create(
            work_order=work_order,
            inspector=person,
            qualification=person.valid_qualification_on(visit_date),
            assigned_by=assigned_by,
        )
    work_order.visit_date = visit_date
    names = "、".join(str(p) for p in people)
    work_order.status = WorkOrderStatus.ASSIGNED
    _save(work_order, user=assigned_by, reason=_("Assigned to %(names)s") % {"names": names})
    _notify_assignees(work_order=work_order, people=people, assigned_by=assigned_by)
    return work_order


def _notify_assignees(*, work_order: WorkOrder, people, assigned_by) -> None:
    """An in-app message to each inspector sent (once per work order, inspector and visit date)."""
    from django.urls import reverse

    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue

    for person in people:
        message_enqueue(
            channel=Channel.IN_APP,
            recipient=person,
            subject=_("Work order %(n)s: visit on %(date)s")
            % {"n": work_order.number, "date": work_order.visit_date.isoformat()},
            body=_("%(customer)s, %(address)s. %(reason)s Field visit page: %(url)s")
            % {
                "customer": work_order.customer,
                "address": work_order.customer.address,
                "reason": work_order.reason,
                "url": reverse("inspections:visit", args=[work_order.pk]),
            },
            dedup_key=f"inspections:assign:{work_order.pk}:{person.pk}:{work_order.visit_date.isoformat()}",
            related=work_order,
            created_by=assigned_by,
            station=work_order.station,
        )


@transaction.atomic
def work_order_close(*, work_order: WorkOrder, user, outcome: str = "") -> WorkOrder:
    """Close a visited work order with its outcome."""
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    work_order.outcome = outcome
    work_order.closed_at = timezone.now()
    return _transition(work_order, to_status=WorkOrderStatus.CLOSED, user=user, reason=_("Work order closed"))


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, user, reason: str) -> WorkOrder:
    """Cancel an open work order; the reason is required."""
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the work order is cancelled.")})
    work_order.outcome = reason.strip()
    work_order.closed_at = timezone.now()
    return _transition(
        work_order,
        to_status=WorkOrderStatus.CANCELLED,
        user=user,
        reason=_("Cancelled: %(r)s") % {"r": reason},
    )


# --- visits --------------------------------------------------------------------------------------


def _clean_checklist(customer, checklist) -> dict:
    keys = checklist_keys(customer)
    checklist = checklist if isinstance(checklist, dict) else {}
    missing = [k for k in keys if not isinstance(checklist.get(k), dict) or not checklist[k].get("result")]
    if missing:
        from gridcheck.inspections.checklists import ITEMS

        raise ValidationError(
            _("Checklist items not answered: %(items)s.")
            % {"items": "、".join(str(ITEMS[k][0]) for k in missing)}
        )
    cleaned = {}
    for key in keys:
        result = checklist[key].get("result")
        if result not in ChecklistResult.values:
            raise ValidationError(_("Unknown checklist answer %(value)s.") % {"value": result})
        cleaned[key] = {"result": result, "note": str(checklist[key].get("note", ""))[:500]}
    return cleaned


def _clean_findings(findings) -> list[dict]:
    cleaned = []
    for finding in findings or []:
        if not isinstance(finding, dict):
            continue
        kind = finding.get("kind")
        if kind not in FindingKind.values:
            raise ValidationError(_("Unknown finding %(kind)s.") % {"kind": kind})
        description = str(finding.get("description", "")).strip()
        if not description:
            raise ValidationError(_("Describe each finding."))
        item = {"kind": kind, "description": description[:2000]}
        for extra in ("severity", "category", "responsible_person"):
            if finding.get(extra):
                item[extra] = str(finding[extra])[:100]
        cleaned.append(item)
    return cleaned


def _photo_items(data, photos) -> list[dict]:
    """Uploaded files and data-URL photos of the draft, as ``{"content", "name", "captured_at", "caption"}``."""
    items = []
    for upload in photos or ():
        upload.seek(0)
        items.append({"content": upload.read(), "name": upload.name, "captured_at": None, "caption": ""})
    for n, photo in enumerate(data.get("photos") or [], start=1):
        if not isinstance(photo, dict):
            raise ValidationError(_("Not an image."))
        items.append(
            {
                "content": _decode_data_url(photo.get("data_url", "")),
                "name": str(photo.get("name") or f"photo-{n}.jpg")[:100],
                "captured_at": photo.get("captured_at"),
                "caption": str(photo.get("caption", ""))[:200],
            }
        )
    return items


@transaction.atomic
def visit_submit(*, work_order: WorkOrder, data: dict, user, photos=()) -> Visit:
    """Record the field visit of ``work_order`` and mark it visited.

    ``data``: ``checklist`` (every item of the customer's checklist answered), ``findings``, ``notes``,
    ``visited_at`` (ISO time; default now), ``signatures`` (``customer``, ``inspector1``,
    ``inspector2`` as PNG data URLs), ``customer_refused`` with ``refusal_note`` in place of the customer's
    signature, ``customer_signer``, ``photos`` (``[{"data_url", "captured_at", "caption", "name"}]``) and
    ``draft_id``. ``photos`` may also be uploaded files. Refuses a missing signature, a photo that is not
    a JPEG/PNG or is too large, and a user who is not one of the assigned inspectors.

    A ``hazard`` finding opens a hazard record (``hazards.services.hazard_create``); ``theft`` and
    ``violation`` findings stay in ``visit.findings`` for the cases app. Resending the same ``draft_id``
    returns the visit already stored.
    """
    work_order = WorkOrder.objects.select_for_update().select_related("customer").get(pk=work_order.pk)
    draft_id = str(data.get("draft_id") or "")[:64]
    if draft_id:
        existing = work_order.visits.filter(client_draft_id=draft_id).first()
        if existing is not None:
            return existing
    if work_order.status not in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS):
        raise ValidationError(
            _("A %(status)s work order cannot take a visit.") % {"status": work_order.get_status_display()}
        )
    inspectors = [a.inspector for a in work_order.assignments.select_related("inspector").order_by("pk")]
    if len(inspectors) < 2:
        raise ValidationError(_("The work order has not been assigned to two inspectors."))
    if not user.is_superuser and user.pk not in {p.pk for p in inspectors}:
        raise ValidationError(_("Only the assigned inspectors can submit the visit."))
    customer = work_order.customer
    checklist = _clean_checklist(customer, data.get("checklist"))
    findings = _clean_findings(data.get("findings"))
    visited_at = parse_datetime(str(data.get("visited_at") or "")) or timezone.now()
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)

    signatures = data.get("signatures") or {}
    refused = bool(data.get("customer_refused"))
    stamp = f"{work_order.number}-{timezone.now():%H%M%S}"
    visit = Visit(
        work_order=work_order,
        station_id=work_order.station_id,
        visited_at=visited_at,
        checklist=checklist,
        findings=findings,
        notes=str(data.get("notes", ""))[:5000],
        customer_refused=refused,
        refusal_note=str(data.get("refusal_note", ""))[:200],
        customer_signer=str(data.get("customer_signer", ""))[:50],
        inspector1=inspectors[0],
        inspector2=inspectors[1],
        submitted_by=user,
        client_draft_id=draft_id,
    )
    if refused:
        if not visit.refusal_note.strip():
            raise ValidationError(_("Record how the customer refused to sign."))
    else:
        visit.customer_signature = _signature_file(
            signatures.get("customer"), name=f"{stamp}-customer.png", label=_("the customer")
        )
    visit.inspector1_signature = _signature_file(
        signatures.get("inspector1"), name=f"{stamp}-inspector1.png", label=str(inspectors[0])
    )
    visit.inspector2_signature = _signature_file(
        signatures.get("inspector2"), name=f"{stamp}-inspector2.png", label=str(inspectors[1])
    )
    checked = []
    for item in _photo_items(data, photos):
        content_type, sha256 = image_check(content=item["content"], name=item["name"])
        captured = parse_datetime(str(item["captured_at"] or "")) or _exif_capture_time(item["content"])
        if captured is not None and timezone.is_naive(captured):
            captured = timezone.make_aware(captured)
        checked.append((item, content_type, sha256, captured or timezone.now()))
    _save(visit, user=user, reason=_("Visit submitted"))
    for item, content_type, sha256, captured in checked:
        extension = "png" if content_type == "image/png" else "jpg"
        photo = VisitPhoto(
            visit=visit,
            image=ContentFile(item["content"], name=f"{sha256[:16]}.{extension}"),
            sha256=sha256,
            captured_at=captured,
            size_bytes=len(item["content"]),
            content_type=content_type,
            caption=item["caption"],
        )
        photo.full_clean()
        photo.save()

    for finding in visit.findings:
        if finding["kind"] == FindingKind.HAZARD:
            finding["hazard_id"] = _hazard_from_finding(visit=visit, finding=finding, user=user).pk
    if any("hazard_id" in f for f in visit.findings):
        Visit.objects.filter(pk=visit.pk).update(findings=visit.findings)

    if work_order.status == WorkOrderStatus.ASSIGNED:
        work_order.status = WorkOrderStatus.IN_PROGRESS
    _transition(work_order, to_status=WorkOrderStatus.VISITED, user=user, reason=_("Visit submitted"))
    tipoff = TipOff.objects.filter(work_order=work_order).first()
    if tipoff is not None and tipoff.visited_at is None:
        tipoff.visited_at = visited_at
        tipoff.status = TipOffStatus.VISITED
        _save(tipoff, user=user, reason=_("Site visited"))
    return visit


def _hazard_from_finding(*, visit: Visit, finding: dict, user):
    from gridcheck.hazards.choices import HazardCategory, HazardSeverity
    from gridcheck.hazards.services import hazard_create

    found_on = timezone.localtime(visit.visited_at).date()
    customer = visit.work_order.customer
    category = finding.get("category")
    severity = finding.get("severity")
    return hazard_create(
        customer=customer,
        category=category if category in HazardCategory.values else HazardCategory.OTHER,
        severity=severity if severity in HazardSeverity.values else HazardSeverity.GENERAL,
        description=finding["description"],
        found_on=found_on,
        deadline=found_on + datetime.timedelta(days=settings.GRIDCHECK_INSPECTION_HAZARD_DEADLINE_DAYS),
        responsible_person=finding.get("responsible_person") or visit.customer_signer or customer.name,
        found_by_inspection_ref=visit.work_order.number,
        found_by=user,
    )


# --- tip-offs ------------------------------------------------------------------------------------


@transaction.atomic
def tipoff_create(
    *,
    station,
    channel: str,
    description: str,
    received_by,
    reporter_name: str = "",
    reporter_phone: str = "",
    customer=None,
    address: str = "",
    received_at: datetime.datetime | None = None,
) -> TipOff:
    """Register a tip-off; with the customer known, a work order due by the visit deadline is opened.

    The deadline is ``GRIDCHECK_TIPOFF_VISIT_HOURS`` after ``received_at``. The work order's reason
    never names the reporter.
    """
    if customer is not None and customer.station_id != station.pk:
        raise ValidationError({"customer": _("The customer belongs to another station.")})
    received_at = received_at or timezone.now()
    tipoff = TipOff(
        station=station,
        channel=channel,
        description=(description or "").strip(),
        received_by=received_by,
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        customer=customer,
        address=address.strip() or (customer.address if customer else ""),
        received_at=received_at,
        visit_deadline=received_at + datetime.timedelta(hours=settings.GRIDCHECK_TIPOFF_VISIT_HOURS),
        status=TipOffStatus.RECEIVED,
    )
    tipoff.number = _next_number(TipOff, "number", f"JB{timezone.localtime(received_at):%Y%m}")
    _save(tipoff, user=received_by, reason=_("Tip-off received"))
    if customer is not None:
        _tipoff_work_order(tipoff=tipoff, user=received_by)
    return tipoff


def _tipoff_work_order(*, tipoff: TipOff, user) -> WorkOrder:
    order = work_order_create(
        source=WorkOrderSource.TIPOFF,
        customer=tipoff.customer,
        reason=_("Tip-off %(number)s: %(text)s") % {"number": tipoff.number, "text": tipoff.description},
        created_by=user,
        due_on=timezone.localtime(tipoff.visit_deadline).date(),
        related=tipoff,
    )
    tipoff.work_order = order
    _save(tipoff, user=user, reason=_("Work order %(n)s opened") % {"n": order.number})
    return order


@transaction.atomic
def tipoff_conclude(*, tipoff: TipOff, status: str, outcome: str, user) -> TipOff:
    """Record whether the tip-off was proven or unfounded, or close it."""
    if status not in (TipOffStatus.PROVEN, TipOffStatus.UNFOUNDED, TipOffStatus.CLOSED):
        raise ValidationError(_("Unknown status."))
    tipoff.status = status
    tipoff.outcome = (outcome or "").strip()
    return _save(tipoff, user=user, reason=TipOffStatus(status).label)


@transaction.atomic
def tipoff_reward_record(
    *, tipoff: TipOff, amount_yuan, user, paid_on: datetime.date | None = None
) -> TipOff:
    """Set the reporter's reward and, when paid, the day it was paid; only a proven tip-off earns one."""
    if tipoff.status not in (TipOffStatus.PROVEN, TipOffStatus.CLOSED):
        raise ValidationError(_("Only a proven tip-off earns a reward."))
    tipoff.reward_amount_yuan = amount_yuan
    tipoff.reward_paid_on = paid_on
    return _save(tipoff, user=user, reason=_("Reward recorded"))


# --- broken seals ------------------------------------------------------------------------------


def broken_seal_work_order(*, seal, customer, reason: str, due_on: datetime.date, created_by) -> WorkOrder:
    """The work order of a seal found broken (``seals.services.seal_broken_report`` asks for it)."""
    return work_order_create(
        source=WorkOrderSource.SEAL,
        customer=customer,
        reason=reason,
        created_by=created_by,
        due_on=due_on,
        related=seal,
    )


# --- plans and campaigns -------------------------------------------------------------------------


@dataclass
class PlanSlot:
    """One planned inspection: a customer in a slot of the month (``W1``..``W5``, ``M``, ``Q``, ``R``)."""

    customer: object
    slot: str
    due_on: datetime.date
    reason: str


def _weeks(first: datetime.date, last: datetime.date) -> list[tuple[int, datetime.date]]:
    """The weeks of a month, numbered from 1: each one's due date (its Sunday, or the month's last day)."""
    weeks = []
    start = first
    n = 1
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        weeks.append((n, end))
        start = end + datetime.timedelta(days=1)
        n += 1
    return weeks


def plan_slots(*, station, month: datetime.date) -> list[PlanSlot]:
    """The periodic inspections a station owes in ``month``.

    - class A: one anti-theft patrol per calendar week of the month (due on its Sunday);
    - class B: one patrol in the month (due on its last day);
    - class C: one patrol a quarter, spread over the quarter's three months by customer id
      (``pk % 3`` picks the month), due at the end of that month;
    - high-risk and important customers: a periodic safety inspection every month when their class
      does not already bring a visit that month.
    """
    from gridcheck.archive.models import Customer

    first, last = month_bounds(month)
    weeks = _weeks(first, last)
    month_in_quarter = (first.month - 1) % 3
    slots = []
    customers = Customer.objects.filter(station=station, status="active").order_by("account_number")
    for customer in customers.iterator():
        planned = False
        if customer.inspection_class == "A":
            for n, due in weeks:
                slots.append(
                    PlanSlot(
                        customer, f"W{n}", due, _("Class A weekly anti-theft patrol, week %(n)s") % {"n": n}
                    )
                )
            planned = True
        elif customer.inspection_class == "B":
            slots.append(PlanSlot(customer, "M", last, _("Class B monthly anti-theft patrol")))
            planned = True
        elif customer.inspection_class == "C" and customer.pk % 3 == month_in_quarter:
            slots.append(PlanSlot(customer, "Q", last, _("Class C quarterly anti-theft patrol")))
            planned = True
        if (customer.is_high_risk or customer.is_important) and not planned:
            slots.append(
                PlanSlot(customer, "R", last, _("Periodic inspection of a high-risk or important customer"))
            )
    return slots


@dataclass
class PlanResult:
    plan: InspectionPlan
    created: int
    existing: int


@transaction.atomic
def plan_generate(*, station, month: datetime.date, created_by=None) -> PlanResult:
    """Generate (or complete) a station's monthly plan and its work orders; running it twice adds nothing."""
    first, _last = month_bounds(month)
    plan = InspectionPlan.objects.filter(station=station, month=first).first()
    if plan is None:
        plan = _save(
            InspectionPlan(station=station, month=first, created_by=created_by, status=PlanStatus.DRAFT),
            user=created_by,
            reason=_("Plan generated"),
        )
    elif plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("The plan of %(month)s is closed.") % {"month": f"{first:%Y-%m}"})
    have = set(plan.work_orders.values_list("customer_id", "plan_slot"))
    created = existing = 0
    for slot in plan_slots(station=station, month=first):
        if (slot.customer.pk, slot.slot) in have:
            existing += 1
            continue
        work_order_create(
            source=WorkOrderSource.PLAN,
            customer=slot.customer,
            reason=slot.reason,
            created_by=created_by,
            due_on=slot.due_on,
            plan=plan,
            plan_slot=slot.slot,
        )
        created += 1
    return PlanResult(plan=plan, created=created, existing=existing)


@transaction.atomic
def plan_publish(*, plan: InspectionPlan, user) -> InspectionPlan:
    """Publish a draft plan: its work orders are now the station's to dispatch."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be published."))
    plan.status = PlanStatus.PUBLISHED
    return _save(plan, user=user, reason=_("Plan published"))


@transaction.atomic
def plan_close(*, plan: InspectionPlan, user) -> InspectionPlan:
    """Close a month's plan (its summary is final)."""
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("The plan is already closed."))
    plan.status = PlanStatus.CLOSED
    return _save(plan, user=user, reason=_("Work order closed"))


@transaction.atomic
def campaign_create(
    *,
    station,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    targets,
    created_by,
    purpose: str = "",
) -> Campaign:
    """Start a campaign (专项行动) with its target customers and open one work order per target."""
    targets = list(targets)
    if not targets:
        raise ValidationError({"targets": _("A campaign needs at least one target customer.")})
    if any(c.station_id != station.pk for c in targets):
        raise ValidationError({"targets": _("Every target must be a customer of the station.")})
    campaign = _save(
        Campaign(
            station=station,
            name=name.strip(),
            purpose=purpose,
            starts_on=starts_on,
            ends_on=ends_on,
            status=CampaignStatus.RUNNING if starts_on <= timezone.localdate() else CampaignStatus.PLANNED,
            created_by=created_by,
        ),
        user=created_by,
        reason=_("Campaign created"),
    )
    campaign.targets.set(targets)
    for customer in targets:
        work_order_create(
            source=WorkOrderSource.PLAN,
            customer=customer,
            reason=_("Campaign: %(name)s") % {"name": campaign.name},
            created_by=created_by,
            due_on=ends_on,
            campaign=campaign,
        )
    return campaign
