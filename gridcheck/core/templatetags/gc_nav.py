"""``{% nav_menu %}``: the side menu of every page (``includes/nav_menu.html``), rendered once per distinct
menu and kept in the process.

The menu is the same for every page of a role, save the entry of the page itself (``active``) and the
unread badge: some hundred entries that the template engine wrote on every request, a good part of a
page's fixed cost. The menu as computed for the request (``core.context_processors.navigation``: labels
in the request's language, URLs, active flags, badges) is the key; the markup is the template's own.
"""

from collections import OrderedDict
from threading import Lock

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

#: Distinct menus kept per process (roles x languages x active entries x badge counts seen recently).
KEEP = 2048
_kept: OrderedDict = OrderedDict()
_lock = Lock()


def _sections_key(sections) -> tuple:
    return tuple(
        (
            str(section["title"] or ""),
            bool(section["title"]),
            tuple(
                (str(item["label"]), item["url"], bool(item["active"]), item.get("badge"))
                for item in section["items"]
            ),
        )
        for section in sections or ()
    )


@register.simple_tag(takes_context=True)
def nav_menu(context):
    """The markup of ``includes/nav_menu.html`` for this request's menu, from the process's copy when the
    same menu was rendered before."""
    sections, more, more_active = (
        context.get("nav_sections"),
        context.get("nav_more"),
        context.get("nav_more_active"),
    )
    from django.utils.translation import get_language

    key = context.get("nav_key") or (
        get_language(),
        _sections_key(sections),
        _sections_key(more),
        bool(more_active),
    )
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = mark_safe(  # noqa: S308 - rendered by the template engine, escaped there
        render_to_string(
            "includes/nav_menu.html",
            {"nav_sections": sections, "nav_more": more, "nav_more_active": more_active},
        )
    )
    with _lock:
        _kept[key] = html
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return html
