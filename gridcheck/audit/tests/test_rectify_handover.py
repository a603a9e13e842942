"""The hand-over of a rectified finding: whoever may verify it (never its assignee nor whoever reported
it) is told in the app that it waits for them."""

import datetime

import pytest

from gridcheck.audit import services
from gridcheck.audit.models import Finding

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2025, 3, 1)


def test_a_rectified_finding_is_handed_to_its_verifiers(county):
    from gridcheck.notifications.models import Message

    east11 = county.customers["east11"]
    east11.tariff_code = "GEN-1"  # DF-01: a residential customer on the general tariff
    east11.save()
    run = services.audit_run_start(
        month=MONTH,
        user=county.users["admin"],
        rule_codes=["DF-01"],
        run_on=datetime.date(2025, 4, 10),
        enqueue=False,
    )
    services.audit_run_execute(run)
    finding = Finding.objects.get(customer=east11)
    auditor = county.users["auditor_east"]
    assert finding.assignee == auditor
    assert not Message.objects.filter(recipient_user=county.users["head_east"]).exists()

    services.finding_rectify(finding=finding, user=auditor, resolution="电价已改回居民生活用电")

    told = set(
        Message.objects.filter(related_object_id=finding.pk).values_list(
            "recipient_user__username", flat=True
        )
    )
    assert "head_east" in told and "admin" in told  # the station head and the county's auditor
    assert "auditor_east" not in told  # never the assignee who reported it
    assert not told & {"reader_east", "inspector_east", "head_west", "inspector_west"}
    message = Message.objects.get(recipient_user=county.users["head_east"], related_object_id=finding.pk)
    assert "DF-01" in message.subject and finding.get_absolute_url() in message.body
