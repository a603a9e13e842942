"""Field visits (现场检查): the phone page's draft stored with its checklist, findings, photos and signatures.

A ``hazard`` finding opens a hazard record; ``theft`` and ``violation`` findings stay on the visit for the
cases app.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import io

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import apnumber
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridcheck.core.images import image_check as core_image_check
from gridcheck.core.rules import rule_int
from gridcheck.inspections.checklists import checklist_keys
from gridcheck.inspections.choices import ChecklistResult, FindingKind, TipOffStatus, WorkOrderStatus
from gridcheck.inspections.models import TipOff, Visit, VisitPhoto, WorkOrder
from gridcheck.inspections.services.common import save
from gridcheck.inspections.services.work_orders import transition


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
    # The rule's number of inspectors, and never fewer than the visit's two signatures.
    needed = max(
        rule_int("inspections.visit.min_inspectors", on=work_order.visit_date or timezone.localdate()), 2
    )
    if len(inspectors) < needed:
        raise ValidationError(
            _("The work order has not been assigned to %(min)s inspectors.") % {"min": apnumber(needed)}
        )
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
    save(visit, user=user, reason=_("Visit submitted"))
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

    transition(work_order, to_status=WorkOrderStatus.VISITED, user=user, reason=_("Visit submitted"))
    tipoff = TipOff.objects.filter(work_order=work_order).first()
    if tipoff is not None and tipoff.visited_at is None:
        tipoff.visited_at = visited_at
        tipoff.status = TipOffStatus.VISITED
        save(tipoff, user=user, reason=_("Site visited"))
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
        deadline=found_on + datetime.timedelta(days=rule_int("inspections.hazard.rectify_days", on=found_on)),
        responsible_person=finding.get("responsible_person") or visit.customer_signer or customer.name,
        found_by_inspection_ref=visit.work_order.number,
        found_by=user,
    )
