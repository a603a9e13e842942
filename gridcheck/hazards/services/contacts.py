"""The network's people and warnings: customer and government contacts, risk warnings by SMS and email."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.roles import Role
from gridcheck.hazards.choices import DeliveryChannel, NoticeKind
from gridcheck.hazards.models import CustomerContact, GovernmentContact, Notice
from gridcheck.hazards.services.common import enqueue


@transaction.atomic
def customer_contact_create(
    *,
    customer,
    name: str,
    role: str = "",
    phone: str = "",
    email: str = "",
    portal_user=None,
    receives_notices: bool = True,
) -> CustomerContact:
    """Add a contact at a customer; a ``portal_user`` (a login of the customer portal role) lets that
    person log in to the customer's portal. A staff login is refused: the portal is a role, not a link."""
    if portal_user is not None and getattr(portal_user, "role", None) != Role.CUSTOMER:
        raise ValidationError(
            {"portal_user": _("Only a login with the customer portal role can be a customer's portal login.")}
        )
    contact = CustomerContact(
        customer=customer,
        name=name,
        role=role,
        phone=phone,
        email=email,
        portal_user=portal_user,
        receives_notices=receives_notices,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def government_contact_create(
    *, department: str, name: str, title: str = "", phone: str = "", email: str = "", address: str = ""
) -> GovernmentContact:
    """Add a contact at a county government department."""
    contact = GovernmentContact(
        department=department, name=name, title=title, phone=phone, email=email, address=address
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def risk_warning_send(
    *,
    customer,
    subject: str,
    body: str,
    actor=None,
    channels=("sms", "email"),
    today: datetime.date | None = None,
) -> Notice:
    """Send a risk warning (风险预警) to a customer's contacts by SMS and/or email, and record it."""
    if not subject.strip() or not body.strip():
        raise ValidationError(_("A risk warning needs a subject and a text."))
    today = today or timezone.localdate()
    notice = Notice(
        kind=NoticeKind.RISK_WARNING,
        period=f"{today:%Y-%m}",
        customer=customer,
        station_id=customer.station_id,
        title=subject.strip(),
        body=body.strip(),
        generated_by=actor,
    )
    notice.full_clean()
    notice.save()
    contacts = list(CustomerContact.objects.filter(customer=customer, receives_notices=True))
    used, sent_to = set(), []
    for contact in contacts:
        if "sms" in channels and contact.phone:
            enqueue(
                channel="sms",
                recipient=contact.phone,
                subject=notice.title,
                body=notice.body,
                dedup_key=f"risk-warning:{notice.pk}:sms:{contact.phone}",
                related=notice,
                created_by=actor,
            )
            used.add("sms")
            sent_to.append(contact.phone)
        if "email" in channels and contact.email:
            enqueue(
                channel="email",
                recipient=contact.email,
                subject=notice.title,
                body=notice.body,
                dedup_key=f"risk-warning:{notice.pk}:email:{contact.email}",
                related=notice,
                created_by=actor,
            )
            used.add("email")
            sent_to.append(contact.email)
    if not used:
        raise ValidationError(_("The customer has no contact with a phone or an email for this warning."))
    notice.channel = (
        DeliveryChannel.SMS_AND_EMAIL
        if len(used) == 2
        else (DeliveryChannel.SMS if "sms" in used else DeliveryChannel.EMAIL)
    )
    notice.emailed_to = "\n".join(sent_to)
    notice.sent_at = timezone.now()
    notice.full_clean()
    notice.save()
    return notice
