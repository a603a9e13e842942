"""Campaigns (专项行动): a target list and one work order per target."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.inspections.choices import CampaignStatus, WorkOrderSource
from gridcheck.inspections.models import Campaign
from gridcheck.inspections.services.common import save
from gridcheck.inspections.services.work_orders import work_order_create


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
    campaign = save(
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
