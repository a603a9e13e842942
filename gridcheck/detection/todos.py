"""Detection's line of the home page's to-do list: the latest month's suspects nobody has looked at."""

from django.db.models import QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem
from gridcheck.core.roles import DISPATCH
from gridcheck.core.scoping import scoped
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import Suspect


def _latest_month(user):
    return scoped(Suspect, user).order_by("-month").values_list("month", flat=True).first()


def _new(user) -> QuerySet:
    # The latest month as a subquery: counted with the other lines, no query of its own (none: nothing).
    latest = scoped(Suspect, user).order_by("-month").values("month")[:1]
    return scoped(Suspect, user).filter(month=Subquery(latest), status=SuspectStatus.NEW)


def _url(user) -> str:
    from django.urls import reverse

    month = _latest_month(user)
    query = f"?status={SuspectStatus.NEW}" + (f"&month={month:%Y-%m-%d}" if month else "")
    return reverse("detection:suspect_list") + query


TODOS = {
    "detection.new": TodoItem(_("Theft suspects not yet checked"), _new, _url, DISPATCH, order=70),
}
