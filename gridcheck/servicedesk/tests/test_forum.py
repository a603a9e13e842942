"""The technical forum: threads of a station, posts escaped, official answers by staff, hide and lock
moderation, a posting rate limit (a rule row) for electricians."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gridcheck.core.testing import patch_rules
from gridcheck.servicedesk import selectors, services

pytestmark = pytest.mark.django_db


def test_threads_official_answers_and_moderation(county, el_east, el_west):
    thread = services.forum_thread_start(
        user=el_east, topic="technical", title="电容柜投切", text="频繁投切怎么办"
    )
    assert list(selectors.threads_for(el_east)) == [thread]
    assert not selectors.threads_for(el_west).exists()
    assert not selectors.threads_for(county.users["inspector_west"]).exists()
    with pytest.raises(PermissionDenied):
        services.forum_reply(thread=thread, user=el_west, text="x")
    with pytest.raises(PermissionDenied):  # electricians never answer officially
        services.forum_reply(thread=thread, user=el_east, text="x", official=True)
    answer = services.forum_reply(
        thread=thread, user=county.users["inspector_east"], text="检查控制器", official=True
    )
    assert answer.official
    with pytest.raises(PermissionDenied):
        services.forum_moderate(user=el_east, thread=thread, action="lock")
    with pytest.raises(PermissionDenied):
        services.forum_moderate(user=county.users["inspector_west"], thread=thread, action="lock")
    services.forum_moderate(user=county.users["head_east"], thread=thread, action="lock")
    with pytest.raises(ValidationError):
        services.forum_reply(thread=thread, user=el_east, text="还有问题")
    services.forum_moderate(user=county.users["head_east"], post=answer, action="hide")
    assert answer not in selectors.posts_of(thread, el_east)
    assert answer in selectors.posts_of(thread, county.users["head_east"])
    services.forum_moderate(user=county.users["head_east"], thread=thread, action="hide")
    assert not selectors.threads_for(el_east).exists()


def test_the_posting_rate_limit(county, el_east, monkeypatch):
    patch_rules(monkeypatch, {"servicedesk.forum_posts_per_hour": 2})
    thread = services.forum_thread_start(user=el_east, topic="safety", title="接地", text="1")
    services.forum_reply(thread=thread, user=el_east, text="2")
    with pytest.raises(ValidationError):
        services.forum_reply(thread=thread, user=el_east, text="3")
    services.forum_reply(thread=thread, user=county.users["inspector_east"], text="staff are not limited")


def test_posts_are_escaped(client, county, el_east):
    client.force_login(el_east)
    response = client.post(
        reverse("servicedesk:portal_forum"),
        {
            "topic": "technical",
            "title": "<img src=x onerror=alert(1)>",
            "text": "<script>alert('x')</script>",
        },
    )
    assert response.status_code == 302
    thread = selectors.threads_for(el_east).get()
    for url in (
        reverse("servicedesk:portal_forum_thread", args=[thread.pk]),
        reverse("servicedesk:portal_forum"),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
    client.force_login(county.users["inspector_east"])
    body = client.get(reverse("servicedesk:forum_thread", args=[thread.pk])).content.decode()
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    response = client.post(
        reverse("servicedesk:forum_thread", args=[thread.pk]), {"text": "官方答复", "official": "on"}
    )
    assert response.status_code == 302
    assert thread.posts.filter(official=True).exists()
