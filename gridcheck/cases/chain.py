"""The case, its payments and its closure on the chain card (``gridcheck.core.chain``)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.chain import ChainNode, ChainStage, chain
from gridcheck.core.roles import VIEW_CASES


def _closure(case) -> list[ChainNode]:
    from gridcheck.cases.choices import CaseStatus

    if case.status != CaseStatus.CLOSED:
        return []
    event = case.events.filter(to_status=CaseStatus.CLOSED).order_by("-at").first()
    return [
        ChainNode(
            60,
            _("Closure"),
            case.number,
            case.get_absolute_url(),
            case.get_status_display(),
            event.at if event else None,
        )
    ]


def register() -> None:
    from gridcheck.cases.models import Case

    chain.stage(
        "cases.case",
        ChainStage(
            40,
            _("Case"),
            lambda c: (c.number, c.get_status_display(), c.case_date),
            VIEW_CASES,
            extra=_closure,
        ),
    )
    chain.stage(
        "cases.payment",
        ChainStage(
            50,
            _("Payment"),
            lambda p: (f"{p.receipt_number} ¥{p.amount_yuan}", _("Paid"), p.paid_on),
            VIEW_CASES,
            url=lambda p: p.case.get_absolute_url() + "#payments",
        ),
    )
    chain.link("inspections.visit", lambda v: Case.objects.filter(visit=v))
    chain.link("cases.case", lambda c: ([c.visit] if c.visit_id else []) + list(c.payments.all()))
    chain.link("cases.payment", lambda p: [p.case])
