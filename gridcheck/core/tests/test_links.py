"""``record_url`` gives ``reverse``'s text for every URL name a record links to, under any URL prefix."""

import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from gridcheck.core.links import record_url

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(
    {
        name
        for path in ROOT.rglob("models*.py")
        for name in re.findall(r'record_url\("([a-z_:]+)"', path.read_text())
    }
)


def test_every_records_link_is_found():
    assert len(NAMES) >= 40 and "archive:customer_detail" in NAMES


@pytest.mark.parametrize("prefix", ["/", "/gridcheck/"])
def test_record_url_equals_reverse(prefix):
    set_script_prefix(prefix)
    try:
        for name in NAMES:
            for pk in (1, 7, 123456789):
                assert record_url(name, pk) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")


def test_a_key_that_is_not_a_number_goes_to_reverse():
    with pytest.raises(NoReverseMatch):
        record_url("archive:customer_detail", None)
    assert record_url("archive:customer_detail", 5) == "/archive/customers/5/"
