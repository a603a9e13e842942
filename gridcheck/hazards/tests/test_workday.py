"""Issue 19 in the hazards app: a hazard is registered by what a clerk knows (account number, meter number,
a name with the picker; never an internal id), and a hazard registered after the month's 1+1+1 notices is
not left silently for next month (rule ``hazards.late_hazard_notice``)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gridcheck.hazards import services
from gridcheck.hazards.choices import HazardStatus, NoticeKind
from gridcheck.hazards.models import Hazard, Notice
from gridcheck.notifications.models import Message

pytestmark = pytest.mark.django_db


def _form(customer: str) -> dict:
    today = timezone.localdate()
    return {
        "customer": customer,
        "category": "protection_not_set",
        "severity": "serious",
        "description": "过流保护退出",
        "found_on": today.isoformat(),
        "deadline": (today + datetime.timedelta(days=20)).isoformat(),
        "responsible_person": "王工",
    }


def _errors(response) -> tuple[str, str]:
    """The customer field's error: its code and its message (Chinese once the lead merged the msgids)."""
    error = response.context["form"].errors.as_data()["customer"][0]
    return error.code, " ".join(error.messages)


def test_a_hazard_is_registered_by_account_number_meter_number_or_a_unique_name(login, county):
    c = login("inspector_east")
    east11, east12, east21 = (county.customers[k] for k in ("east11", "east12", "east21"))
    assert c.post(reverse("hazards:hazard_create"), _form(east11.account_number)).status_code == 302
    meter = east12.metering_points.get().meters.get()
    assert c.post(reverse("hazards:hazard_create"), _form(meter.asset_number)).status_code == 302
    # The picker's "account name" text, and a name that only one customer of the station has.
    assert (
        c.post(reverse("hazards:hazard_create"), _form(f"{east21.account_number} {east21.name}")).status_code
        == 302
    )
    assert c.post(reverse("hazards:hazard_create"), _form("客户east22")).status_code == 302
    assert sorted(Hazard.objects.values_list("customer__name", flat=True)) == [
        "客户east11",
        "客户east12",
        "客户east21",
        "客户east22",
    ]


def test_an_internal_id_an_ambiguous_name_and_another_stations_customer_are_refused(login, county):
    c = login("inspector_east")
    internal_id = str(county.customers["east11"].pk)
    response = c.post(reverse("hazards:hazard_create"), _form(internal_id))
    assert response.status_code == 200
    assert _errors(response)[0] == "not_found" and internal_id in _errors(response)[1]
    code, message = _errors(c.post(reverse("hazards:hazard_create"), _form("客户east")))
    assert code == "ambiguous"
    assert county.customers["east11"].account_number in message and "客户east12" in message
    west = county.customers["west11"].account_number
    assert _errors(c.post(reverse("hazards:hazard_create"), _form(west)))[0] == "not_found"
    assert not Hazard.objects.exists()


def test_the_form_from_a_customers_page_shows_the_account_number(login, county):
    customer = county.customers["east12"]
    page = login("inspector_east").get(reverse("hazards:hazard_create"), {"customer": customer.pk})
    assert page.context["form"].initial["customer"] == customer.account_number
    html = page.content.decode()
    assert 'list="hazard-customers"' in html and "hazards/customer_picker.js" in html


def test_the_name_picker_offers_the_users_own_customers_only(login, county):
    c = login("inspector_east")
    results = c.get(reverse("hazards:customer_lookup"), {"q": "客户"}).json()["results"]
    assert {r["label"].split(" ", 1)[1] for r in results} == {
        "客户east11",
        "客户east12",
        "客户east21",
        "客户east22",
    }
    assert results[0]["value"] == county.customers["east11"].account_number
    assert c.get(reverse("hazards:customer_lookup"), {"q": "客"}).json()["results"] == []
    # Nobody who may not register hazards reads the customer list through it.
    assert login("liaison").get(reverse("hazards:customer_lookup"), {"q": "客户"}).status_code == 403


@pytest.fixture
def month_sent(county):
    """This month's notices are out (the monthly run), with a hazard at east11; east12 has an email."""
    services.customer_contact_create(
        customer=county.customers["east12"], name="李经理", email="east12@example.cn"
    )
    today = timezone.localdate()
    services.hazard_create(
        customer=county.customers["east11"],
        category="ageing_equipment",
        severity="general",
        description="配电箱老化",
        found_on=today,
        deadline=today + datetime.timedelta(days=30),
        responsible_person="张电工",
    )
    services.hazard_monthly_run(month=today.replace(day=1), today=today)
    return today


def _register(county, key="east12"):
    today = timezone.localdate()
    return services.hazard_create(
        customer=county.customers[key],
        category="protection_not_set",
        severity="serious",
        description="漏电保护器拆除",
        found_on=today,
        deadline=today + datetime.timedelta(days=10),
        responsible_person="王工",
        found_by=county.users["inspector_east"],
    )


def test_a_hazard_registered_after_the_months_notice_gets_a_supplementary_notice_at_once(month_sent, county):
    hazard = _register(county)
    notice = Notice.objects.get(kind=NoticeKind.CUSTOMER_SUPPLEMENTARY)
    assert notice.customer == county.customers["east12"] and notice.period == f"{month_sent:%Y-%m}"
    assert "补" in notice.document_number and notice.sent_at is not None and notice.pdf
    assert list(notice.hazards.all()) == [hazard]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.NOTIFIED
    mail = Message.objects.get(recipient_address="east12@example.cn")
    assert mail.subject == notice.title and mail.dedup_key.startswith(f"hazard-supplement:{hazard.pk}:")
    # A second late hazard of the same customer and month: its own supplementary notice.
    _register(county)
    assert (
        Notice.objects.filter(
            kind=NoticeKind.CUSTOMER_SUPPLEMENTARY, customer=county.customers["east12"]
        ).count()
        == 2
    )


def test_the_registration_page_says_the_supplementary_notice_went_out(month_sent, login, county):
    c = login("inspector_east")
    response = c.post(
        reverse("hazards:hazard_create"), _form(county.customers["east21"].account_number), follow=True
    )
    notice = Notice.objects.get(kind=NoticeKind.CUSTOMER_SUPPLEMENTARY)
    assert notice.document_number in response.content.decode()


def test_under_the_next_month_rule_the_hazard_says_which_notice_it_goes_into(month_sent, county, rule_values):
    rule_values({"hazards.late_hazard_notice": "next_month"})
    hazard = _register(county)
    assert not Notice.objects.filter(kind=NoticeKind.CUSTOMER_SUPPLEMENTARY).exists()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND
    next_month = (month_sent.replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    assert hazard.events.filter(note__contains=next_month).exists()


def test_before_the_months_notice_a_new_hazard_waits_for_it(county):
    hazard = _register(county)
    assert not Notice.objects.exists()
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND and hazard.events.count() == 1  # "registered", nothing else
