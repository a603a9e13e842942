"""Sequence numbers: the highest number under a prefix, next to the numbers of neighbouring prefixes."""

from gridcheck.archive.models import Station
from gridcheck.core.numbering import last_number, next_number


def test_the_next_number_of_a_prefix_ignores_its_neighbours(county):
    for code in ["JB2508009", "JB25090a1", "JB2509001", "JB2509012", "JB2510001", "jb2509099", "JB2509"]:
        Station.objects.create(company=county.company, code=code, name=code)
    assert last_number(Station, "code", "JB2509") == "JB25090a1"
    # The highest under the prefix is not a number: counting starts again, as it always did.
    assert next_number(Station, "code", "JB2509", 3) == "JB2509001"
    Station.objects.filter(code="JB25090a1").delete()
    assert last_number(Station, "code", "JB2509") == "JB2509012"
    assert next_number(Station, "code", "JB2509", 3) == "JB2509013"
    assert next_number(Station, "code", "JB2508", 3) == "JB2508010"
    assert next_number(Station, "code", "JB2511", 3) == "JB2511001"
    # The prefix ends in 9: on SQLite its range ends before "JB250:" (':' follows '9').
    Station.objects.create(company=county.company, code="JB250:999", name="x")
    assert next_number(Station, "code", "JB2509", 3) == "JB2509013"
    assert last_number(Station, "code", "JB250:") == "JB250:999"
    assert last_number(Station, "code", "JB2512") is None
