"""The hand-over of a hazard the customer confirms as rectified on the portal: the staff who answer for
it are told in the app that it waits for re-inspection."""

import pytest

from gridcheck.hazards import services
from gridcheck.hazards.tests.conftest import png

pytestmark = pytest.mark.django_db


def test_the_customers_confirmation_is_handed_to_the_hazards_staff(county, make_hazard, portal):
    from gridcheck.notifications.models import Message

    hazard = make_hazard("east11")
    services.hazard_transition(hazard=hazard, to_status="notified")
    assert not Message.objects.filter(related_object_id=hazard.pk, recipient_user__isnull=False).exists()

    services.hazard_rectification_confirm(hazard=hazard, user=portal["east11"], photos=[png()], note="已更换")

    told = list(
        Message.objects.filter(related_object_id=hazard.pk, channel="in_app").values_list(
            "recipient_user__username", flat=True
        )
    )
    assert told == ["inspector_east"]  # responsible and finder: told once
    message = Message.objects.get(related_object_id=hazard.pk, channel="in_app")
    assert hazard.get_absolute_url() in message.body and "客户east11" in message.body
