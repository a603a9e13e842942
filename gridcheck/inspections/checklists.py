"""The visit checklist (检查项目) by customer type.

Every customer is checked for meter, seals, wiring and safety; non-residential customers also for the
capacity and the tariff category actually in use; a customer metered through CTs also for the CTs.
"""

from django.utils.translation import gettext_lazy as _

ITEMS = {
    "meter": (_("Meter"), _("Meter running, register plausible, no damage or burn marks")),
    "seals": (_("Seals"), _("Seals of meter, box and terminal cover intact; numbers match the archive")),
    "wiring": (_("Wiring"), _("No bypass, no tapping before the meter, no changed wiring")),
    "ct": (_("Current transformers"), _("CT ratio and polarity match the archive; no shorted secondary")),
    "capacity": (_("Capacity in use"), _("Connected load within the contracted capacity")),
    "tariff": (_("Tariff category in use"), _("Actual use matches the billed tariff category")),
    "safety": (_("Safety hazards"), _("No safety hazard in the customer's installation")),
}

BASE = ("meter", "seals", "wiring")


def checklist_keys(customer) -> list[str]:
    """The checklist items for ``customer``: by category, plus CTs where its metering uses them."""
    keys = list(BASE)
    uses_ct = customer.metering_points.filter(ct_ratio__gt=1).exists()
    if uses_ct:
        keys.append("ct")
    if customer.category != "residential":
        keys += ["capacity", "tariff"]
    keys.append("safety")
    return keys


def checklist_for(customer) -> list[dict]:
    """``[{"key", "label", "hint"}]`` for the visit page."""
    return [{"key": k, "label": ITEMS[k][0], "hint": ITEMS[k][1]} for k in checklist_keys(customer)]
