"""``{% chain_card obj %}``: the card of what came before and after ``obj`` (``gridcheck.core.chain``)."""

from django import template

from gridcheck.core.chain import chain_of

register = template.Library()


@register.inclusion_tag("includes/chain_card.html", takes_context=True)
def chain_card(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"chain_nodes": chain_of(obj, user) if user is not None and obj is not None else []}
