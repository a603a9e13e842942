"""``{% load gc_links %}``: ``{% if user|opens:url %}<a href="{{ url }}">…</a>{% endif %}``, a link shown only
to who may follow it (:func:`gridcheck.core.access.may_open_path`)."""

from django import template

from gridcheck.core.access import may_open_path

register = template.Library()


@register.filter
def opens(user, url) -> bool:
    """Whether ``user`` may open the page at ``url`` (a path of this site)."""
    return bool(url) and may_open_path(user, str(url))
