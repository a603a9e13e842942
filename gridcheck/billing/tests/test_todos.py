"""A reader's home page lists the cycles of their books whose reading day has come and whose meters are
not all read yet."""

import pytest
from django.urls import reverse

from gridcheck.core.views import todo_list

pytestmark = pytest.mark.django_db


def _to_read(user) -> int:
    return sum(t.count for t in todo_list(user) if t.url == reverse("billing:reader_home"))


def test_a_reader_sees_the_cycles_still_to_read(county, book):
    from decimal import Decimal

    from gridcheck.billing import services
    from gridcheck.billing.tests.conftest import MARCH

    reader = county.users["reader_east"]
    assert _to_read(reader) == 1  # March (February is read throughout)
    assert _to_read(county.users["head_east"]) == 0  # not their book
    *first, (last_key, last_meter) = book.meters.items()
    for key, meter in first:
        services.reading_enter(user=reader, cycle=book.cycle, meter=meter, total=Decimal(MARCH[key]))
    assert _to_read(reader) == 1  # one meter left
    services.reading_enter(user=reader, cycle=book.cycle, meter=last_meter, total=Decimal(MARCH[last_key]))
    assert _to_read(reader) == 0
