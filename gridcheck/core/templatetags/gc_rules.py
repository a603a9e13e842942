"""``{{ row.value|rule_value }}``, ``{{ row.unit|rule_unit }}``, ``{{ row.status|rule_status }}``: a
rule-table row's value, unit and status as people read them (the rows a case or a bill was computed under,
stored with the result)."""

from django import template

from gridcheck_analytics.regulations.table import STATUS_NAMES, unit_name, value_name

register = template.Library()


@register.filter
def rule_unit(unit) -> str:
    return unit_name(str(unit or ""))


@register.filter
def rule_status(status) -> str:
    return STATUS_NAMES.get(str(status or ""), str(status or ""))


@register.filter
def rule_value(value) -> str:
    """A switch as 是/否, a named choice in Chinese (:func:`value_name`), a number as it is."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value_name("" if value is None else value)
