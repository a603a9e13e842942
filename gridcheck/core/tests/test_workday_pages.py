"""What every page shows the same way: times in Asia/Shanghai (history too), history verbs in Chinese,
and the Chinese 403/404/500 pages."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from gridcheck.core.generic import history_entries

pytestmark = pytest.mark.django_db


def test_the_history_card_shows_chinese_verbs_and_shanghai_times(county):
    customer = county.customers["east11"]
    customer.name = "客户改名"
    customer.save()
    created, changed = customer.history.order_by("history_id")
    # 23:30 UTC on New Year's Eve is 07:30 on New Year's Day in Shanghai.
    created.history_date = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    created.save()
    changed.history_date = datetime.datetime(2026, 1, 2, 1, 5, tzinfo=datetime.UTC)
    changed.save()
    html = render_to_string("includes/history_card.html", {"history": history_entries(customer)})
    assert "新建" in html and "修改" in html
    assert "Created" not in html and "Changed" not in html
    assert "2026-01-01 07:30" in html and "2026-01-02 09:05" in html
    assert "2025-12-31 23:30" not in html


def test_the_404_page_is_chinese_and_keeps_the_menu(county, login):
    response = login("head_east").get("/archive/customers/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'data-testid="current-user"' in page
    assert "Not Found" not in page


def test_the_403_page_is_chinese(county, login):
    response = login("liaison").get(reverse("cases:case_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "Forbidden" not in page


def test_the_500_page_is_chinese_and_stands_alone():
    html = render_to_string("500.html")
    assert "服务器错误" in html and '<html lang="zh-hans">' in html
    assert "{% " not in html
