"""Template helpers of the line-loss pages."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def rate(value, target=None):
    """A loss rate [%] with two decimals, red when negative or above ``target``."""
    if value is None or value == "":
        return "—"
    value = float(value)
    bad = value < 0 or (target not in (None, "") and value > float(target))
    return format_html('<span class="{}">{}</span>', "text-danger fw-semibold" if bad else "", f"{value:.2f}")


@register.filter
def kwh(value, digits: int = 0):
    """An energy with thousands separators (locale-independent): ``46,450,949``."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{int(digits)}f}"


@register.filter
def num(value):
    """A count with thousands separators: ``1,832,130``."""
    return kwh(value, 0)
