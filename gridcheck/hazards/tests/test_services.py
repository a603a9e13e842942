"""Hazard lifecycle, deadlines, photos and the daily overdue run."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcheck.hazards import selectors, services
from gridcheck.hazards.choices import HazardSeverity, HazardStatus
from gridcheck.hazards.models import Hazard, HazardEvent, HazardPhoto
from gridcheck.hazards.tests.conftest import png
from gridcheck.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_create_records_event_and_station(make_hazard, county):
    hazard = make_hazard()
    assert hazard.station == county.stations["east"]
    assert hazard.status == HazardStatus.FOUND
    event = hazard.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "found", county.users["inspector_east"])
    assert hazard.history.count() == 1


def test_deadline_before_finding_date_is_refused(make_hazard):
    with pytest.raises(ValidationError) as exc:
        make_hazard(found_on=datetime.date(2026, 11, 3), deadline=datetime.date(2026, 11, 2))
    assert "deadline" in exc.value.message_dict
    assert Hazard.objects.count() == 0


def test_deadline_rule_also_holds_on_edit(make_hazard, county):
    hazard = make_hazard()
    with pytest.raises(ValidationError):
        services.hazard_update(
            hazard=hazard, user=county.users["head_east"], deadline=datetime.date(2026, 10, 1)
        )
    hazard.refresh_from_db()
    assert hazard.deadline == datetime.date(2026, 12, 3)


def test_full_lifecycle_is_recorded(make_hazard, county):
    hazard = make_hazard()
    head = county.users["head_east"]
    for status in ("notified", "rectifying", "rectified", "verified"):
        hazard = services.hazard_transition(
            hazard=hazard, to_status=status, actor=head, note=f"step {status}"
        )
    assert hazard.status == HazardStatus.VERIFIED
    assert hazard.rectified_on is not None and hazard.verified_on is not None
    steps = list(hazard.events.values_list("from_status", "to_status"))
    assert steps == [
        ("", "found"),
        ("found", "notified"),
        ("notified", "rectifying"),
        ("rectifying", "rectified"),
        ("rectified", "verified"),
    ]
    assert hazard.history.count() == 5


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), "verified"),  # found -> verified skips the rectification
        (("notified", "rectifying", "rectified", "verified"), "found"),  # verified is final
        (("notified",), "found"),  # never back to found
    ],
)
def test_refused_transitions(make_hazard, path, refused):
    hazard = make_hazard()
    for status in path:
        hazard = services.hazard_transition(hazard=hazard, to_status=status)
    before = hazard.status
    n_events = HazardEvent.objects.count()
    with pytest.raises(ValidationError):
        services.hazard_transition(hazard=hazard, to_status=refused)
    hazard.refresh_from_db()
    assert hazard.status == before
    assert HazardEvent.objects.count() == n_events


def test_failed_reinspection_goes_back_to_rectifying(make_hazard):
    hazard = make_hazard()
    for status in ("notified", "rectified", "rectifying"):
        hazard = services.hazard_transition(hazard=hazard, to_status=status)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.rectified_on is None


def test_photo_type_and_size_are_checked(make_hazard, settings):
    hazard = make_hazard()
    services.hazard_photo_add(hazard=hazard, stage="before", image=png())
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.hazard_photo_add(hazard=hazard, stage="before", image=fake)
    settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES = 50
    with pytest.raises(ValidationError):
        services.hazard_photo_add(hazard=hazard, stage="before", image=png(size=(200, 200)))
    assert HazardPhoto.objects.count() == 1


def test_daily_marks_overdue_reminds_and_escalates_major(make_hazard, county):
    today = datetime.date(2026, 11, 20)
    general = make_hazard(found_on=datetime.date(2026, 11, 1), deadline=datetime.date(2026, 11, 10))
    major = make_hazard(
        "east12",
        severity=HazardSeverity.MAJOR,
        found_on=datetime.date(2026, 11, 1),
        deadline=datetime.date(2026, 11, 15),
    )
    in_time = make_hazard("east21", found_on=datetime.date(2026, 11, 1), deadline=datetime.date(2026, 12, 15))
    head = county.users["head_east"]
    head.email = "head@example.cn"
    head.save()

    result = services.hazard_daily_run(today=today)

    assert sorted(result.marked_overdue) == sorted([general.pk, major.pk])
    assert result.escalated == [major.pk]
    for hazard in (general, major):
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.OVERDUE
        assert hazard.events.filter(from_status__in=["found"], to_status="overdue").exists()
    in_time.refresh_from_db()
    assert in_time.status == HazardStatus.FOUND
    assert major.escalated_at is not None
    assert Message.objects.filter(recipient_user=head, channel="in_app").count() == 1
    assert Message.objects.filter(recipient_address="head@example.cn", channel="email").count() == 1
    inspector = county.users["inspector_east"]
    assert Message.objects.filter(recipient_user=inspector, channel="in_app").count() == 2
    # The general hazard is not escalated.
    assert not Message.objects.filter(recipient_user=head, subject__contains=general.customer.name).exists()

    n = Message.objects.count()
    again = services.hazard_daily_run(today=today)
    assert again.marked_overdue == [] and again.escalated == []
    assert Message.objects.count() == n


def test_portal_confirmation_only_for_own_customer(make_hazard, portal):
    own = make_hazard("east11")
    other = make_hazard("east12")
    services.hazard_transition(hazard=own, to_status="notified")
    with pytest.raises(PermissionDenied):
        services.hazard_rectification_confirm(hazard=other, user=portal["east11"], photos=[png()])
    with pytest.raises(ValidationError):
        services.hazard_rectification_confirm(hazard=own, user=portal["east11"], photos=[])
    hazard = services.hazard_rectification_confirm(
        hazard=own, user=portal["east11"], photos=[png()], note="已更换"
    )
    assert hazard.status == HazardStatus.RECTIFIED
    assert hazard.photos.filter(stage="after").count() == 1
    assert hazard.events.last().actor == portal["east11"]
    other.refresh_from_db()
    assert other.status == HazardStatus.FOUND


def test_portal_customer_for(portal, county):
    assert selectors.portal_customer_for(portal["east11"]) == county.customers["east11"]
    assert selectors.portal_customer_for(county.users["liaison"]) is None
