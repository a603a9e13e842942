"""``{{ row.unit|rule_unit }}``, ``{{ row.status|rule_status }}``: a rule-table row's unit and status as
people read them (the rows a case or a bill was computed under, stored with the result)."""

from django import template

from gridcheck_analytics.regulations.table import STATUS_NAMES, unit_name

register = template.Library()


@register.filter
def rule_unit(unit) -> str:
    return unit_name(str(unit or ""))


@register.filter
def rule_status(status) -> str:
    return STATUS_NAMES.get(str(status or ""), str(status or ""))
