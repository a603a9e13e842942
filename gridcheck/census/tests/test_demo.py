"""The census demo builder on the small county: campaigns, records, discrepancies, one approved category
change; a second call keeps what exists."""

from django.utils import timezone

from gridcheck.census.demo import demo_census_build
from gridcheck.census.models import CensusCampaign, CensusRecord, Discrepancy


def test_demo_builds_and_is_idempotent(county):
    from gridcheck.billing.models import CategoryChange

    counts = demo_census_build(on=timezone.localdate())
    # The west station has one inspector and no area manager: no team of two, no campaign.
    assert counts["campaigns"] == 1 and CensusCampaign.objects.count() == 1
    assert counts["records"] == CensusRecord.objects.count() == 4
    assert Discrepancy.objects.count() >= 1
    assert counts["category_changes"] == CategoryChange.objects.count()
    again = demo_census_build(on=timezone.localdate())
    assert again["campaigns"] == 0 and again["kept"] == 1 and CensusRecord.objects.count() == 4


def test_command_prints_the_coverage(county):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("census", "demo", stdout=out)
    call_command("census", "coverage", stdout=out)
    assert "4/4" in out.getvalue()
