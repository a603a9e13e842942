"""The company's late-fee practice is chosen in the admin and decides the next late fee."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gridcheck.collection.models import CollectionEvent, CollectionPolicy
from gridcheck.collection.selectors.policy import late_fee_practice_for

pytestmark = pytest.mark.django_db


def test_the_practice_is_set_in_the_admin_with_its_history(client, county):
    user = get_user_model().objects.create_superuser(username="root", password=county.password)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("admin:collection_collectionpolicy_add"),
        {
            "company": county.company.pk,
            "count_payment_day": "on",
            "year_end": "whole",
            "grace_days": "3",
            "minimum_applies_to": "payment",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    policy = CollectionPolicy.objects.get(company=county.company)
    assert policy.history.count() == 1
    practice = late_fee_practice_for(county.company.pk, datetime.date(2025, 5, 1))
    assert (practice.count_payment_day, practice.year_end, practice.grace_days) == (True, "whole", 3)
    assert practice.minimum_applies_to == "payment" and not practice.reprice_on_tariff_rise
    # The event log is read-only there.
    assert client.get(reverse("admin:collection_collectionevent_add")).status_code == 403
    assert not CollectionEvent.objects.exists()
