"""The ``gridcheck hazards`` command and the background tasks."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from gridcheck.hazards import tasks
from gridcheck.hazards.choices import HazardStatus
from gridcheck.hazards.models import (
    CustomerContact,
    CustomerSafetyProfile,
    Drill,
    GovernmentContact,
    Hazard,
    HazardEvent,
    Notice,
)
from gridcheck.notifications.models import Message

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        Hazard.objects.order_by("found_by_inspection_ref").values_list(
            "found_by_inspection_ref",
            "customer__account_number",
            "category",
            "severity",
            "found_on",
            "status",
        )
    )


def test_simulate_is_deterministic_and_runs_once(county):
    out = io.StringIO()
    call_command("hazards", "simulate", "--today", "2026-11-25", "--customers", "4", stdout=out)
    first = _snapshot()
    assert len(first) >= 4
    assert GovernmentContact.objects.count() == 3
    assert HazardEvent.objects.count() > len(first)
    call_command("hazards", "simulate", "--today", "2026-11-25", "--customers", "4", stdout=io.StringIO())
    assert _snapshot() == first  # the second run changes nothing
    for model in (HazardEvent, Hazard, CustomerContact, Drill, CustomerSafetyProfile, GovernmentContact):
        model.objects.all().delete()
    call_command("hazards", "simulate", "--today", "2026-11-25", "--customers", "4", stdout=io.StringIO())
    assert _snapshot() == first  # same seed, same day: the same hazards


def test_command_refuses_bad_arguments(county):
    with pytest.raises(CommandError):
        call_command("hazards", "monthly", "--month", "2026-13", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("hazards", "quarterly", "--quarter", "2026Q7", stdout=io.StringIO())


def test_commands_and_tasks_run_the_calendar(county, make_hazard):
    make_hazard("east11", found_on=datetime.date(2026, 10, 1), deadline=datetime.date(2026, 10, 20))
    out = io.StringIO()
    call_command("hazards", "daily", "--today", "2026-11-02", stdout=out)
    assert Hazard.objects.get().status == HazardStatus.OVERDUE
    result = tasks.hazards_daily.call(today="2026-11-02")
    assert result["overdue"] == []
    monthly = tasks.hazards_monthly.call(month="2026-11")
    assert monthly["created"] == 1 and monthly["paper"] == 1  # east11 has no contact: paper
    call_command("hazards", "quarterly", "--quarter", "2026Q4", stdout=out)
    assert Notice.objects.filter(kind="quarterly_briefing", period="2026Q4").exists()
    assert tasks.hazards_quarterly.call(quarter="2026Q4")["created"] is False
    assert Message.objects.filter(channel="in_app").exists()


def test_monthly_command_emails_the_pdf(county, make_hazard, mailoutbox, settings):
    from gridcheck.hazards import services

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.customer_contact_create(
        customer=county.customers["east11"], name="王经理", email="east11@example.cn"
    )
    make_hazard("east11", description="配电室无应急照明")
    out = io.StringIO()
    call_command("hazards", "monthly", "--month", "2026-11", "--send", stdout=out)
    sent = [m for m in mailoutbox if m.to == ["east11@example.cn"]]
    assert len(sent) == 1
    name, content, mimetype = sent[0].attachments[0]
    assert mimetype == "application/pdf" and content[:5] == b"%PDF-" and name.endswith(".pdf")
    call_command("hazards", "monthly", "--month", "2026-11", "--send", stdout=io.StringIO())
    assert len([m for m in mailoutbox if m.to == ["east11@example.cn"]]) == 1


def test_due_command_runs_what_the_calendar_asks_for_once(county, make_hazard):
    import datetime as dt

    today = dt.date.today()
    make_hazard(
        "east11", found_on=today.replace(day=1), deadline=today.replace(day=1) + dt.timedelta(days=40)
    )
    out = io.StringIO()
    call_command("hazards", "due", stdout=out)
    period = f"{today:%Y-%m}"
    assert Notice.objects.filter(kind="customer_monthly", period=period).count() == 1
    assert Notice.objects.filter(kind="government_monthly", period=period).count() == 1
    assert Notice.objects.filter(kind="quarterly_briefing").count() == 1
    n = Message.objects.count()
    out = io.StringIO()
    call_command("hazards", "due", stdout=out)
    assert Notice.objects.count() == 3 and Message.objects.count() == n
