"""Hazards' line of the home page's to-do list: hazards past their rectification deadline."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import MANAGE_HAZARDS
from gridcheck.hazards.choices import OPEN_STATUSES, HazardStatus
from gridcheck.hazards.selectors import hazards_for


def _overdue(user) -> QuerySet:
    late = Q(status=HazardStatus.OVERDUE) | Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
    return hazards_for(user).filter(late)


TODOS = {
    "hazards.overdue": TodoItem(
        _("Hazards past their rectification deadline"),
        _overdue,
        list_url("hazards:hazard_list", overdue="true"),
        MANAGE_HAZARDS,
        order=60,
        urgent=True,
    ),
}
