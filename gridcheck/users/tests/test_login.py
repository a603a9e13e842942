"""Logging in through the real login form, and django-axes locking out repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

LOGIN_URL = "/accounts/login/"


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def limit():
    assert settings.AXES_FAILURE_LIMIT >= 2
    return settings.AXES_FAILURE_LIMIT


def test_login_form_renders(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_login_with_right_password(client, county):
    response = post_login(client, "inspector_east", county.password)
    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_as(client) == str(county.users["inspector_east"].pk)


def test_wrong_password_is_refused(client, county):
    response = post_login(client, "inspector_east", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_as(client) is None
    assert AccessAttempt.objects.get(username="inspector_east").failures_since_start == 1


def test_lockout_after_failure_limit_even_with_right_password(client, county, limit):
    for _ in range(limit - 1):
        assert post_login(client, "inspector_east", "wrong").status_code == 200
    response = post_login(client, "inspector_east", "wrong")
    assert response.status_code in (403, 429)
    assert b'data-testid="locked-out"' in response.content
    response = post_login(client, "inspector_east", county.password)
    assert response.status_code in (403, 429)
    assert b'data-testid="locked-out"' in response.content
    assert logged_in_as(client) is None
    # Other accounts are not locked.
    assert post_login(client, "inspector_west", county.password).status_code == 302


def test_success_resets_the_failure_counter(client, county, limit):
    for _ in range(limit - 1):
        post_login(client, "reader_east", "wrong")
    assert AccessAttempt.objects.get(username="reader_east").failures_since_start == limit - 1
    assert post_login(client, "reader_east", county.password).status_code == 302
    assert not AccessAttempt.objects.filter(username="reader_east").exists()
    client.logout()
    # A fresh run of failures short of the limit does not lock: the earlier ones no longer count.
    for _ in range(limit - 1):
        assert post_login(client, "reader_east", "wrong").status_code == 200
    assert post_login(client, "reader_east", county.password).status_code == 302
    assert logged_in_as(client) == str(county.users["reader_east"].pk)


def test_the_lockout_is_keyed_on_the_client_behind_a_trusted_proxy(client, county, limit, settings):
    """Behind the reverse proxy every request comes from its address: the lockout must key on the client's
    address from X-Forwarded-For (trusted only from the proxy), or one client locks everyone out."""
    settings.GRIDCHECK_TRUSTED_PROXIES = ["10.0.0.2"]
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    colleague = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(limit):
        client.post(LOGIN_URL, {"username": "reader_east", "password": "wrong"}, **attacker)
    locked = client.post(LOGIN_URL, {"username": "reader_east", "password": county.password}, **attacker)
    assert locked.status_code in (403, 429)
    ok = client.post(LOGIN_URL, {"username": "reader_east", "password": county.password}, **colleague)
    assert ok.status_code == 302


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(rf, settings):
    from gridcheck.core.clientip import client_ip

    settings.GRIDCHECK_TRUSTED_PROXIES = ["10.0.0.2"]
    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(spoofed) == "203.0.113.9"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2")
    assert client_ip(proxied) == "198.51.100.7"
