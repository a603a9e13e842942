"""Collection fixtures: the east station's March 2025 bills issued, so each customer has a receivable.

``issued`` runs billing as its users do (reader's readings, the auditor's bill run, the head's check and
issue) on billing's own fixtures; ``issued.receivables`` maps customer keys (``east11``...) to their
receivables. Bills are issued on 2025-04-08 (Asia/Shanghai), due 15 days later (rule
``collection.payment_term_days``): 2025-04-23.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401  (fixtures)

ISSUED_AT = datetime.datetime(2025, 4, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DUE = datetime.date(2025, 4, 23)


@dataclass
class Issued:
    cycle: object
    bills: dict = field(default_factory=dict)
    receivables: dict = field(default_factory=dict)


@pytest.fixture
def issued(county, book, read_march) -> Issued:  # noqa: F811
    from gridcheck.billing import services as billing
    from gridcheck.collection.models import Receivable

    read_march()
    billing.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    for bill in book.cycle.bills.all():
        billing.bill_check(user=county.users["head_east"], bill=bill)
    billing.cycle_issue(user=county.users["head_east"], cycle=book.cycle, issued_at=ISSUED_AT)
    keys = {c.pk: k for k, c in county.customers.items()}
    result = Issued(cycle=book.cycle)
    for bill in book.cycle.bills.all():
        result.bills[keys[bill.customer_id]] = bill
    for receivable in Receivable.objects.all():
        result.receivables[keys[receivable.customer_id]] = receivable
    return result
