"""The home dashboard: what is in the user's scope, the last imports and the ways in."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from gridcheck.archive import selectors
from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.permissions import IMPORT, has_capability


class HomeView(CapabilityRequiredMixin, TemplateView):
    """Counts of stations, lines, areas, customers and meters; customers by category and class."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        counts = selectors.dashboard_counts(user=user)
        breakdown = selectors.customer_breakdown(user=user)
        ctx.update(
            stats=[
                (_("Stations"), counts["stations"], "archive:station_list"),
                (_("Lines"), counts["lines"], "archive:line_list"),
                (_("Transformer areas"), counts["areas"], "archive:area_list"),
                (_("Customers"), counts["customers"], "archive:customer_list"),
                (_("Meters"), counts["meters"], "archive:meter_list"),
            ],
            counts=counts,
            breakdown=breakdown,
            chart_data={
                "category": [
                    {"name": row["label"], "value": row["count"]} for row in breakdown["by_category"]
                ],
                "classes": {
                    "labels": [row["label"] for row in breakdown["by_class"]],
                    "values": [row["count"] for row in breakdown["by_class"]],
                },
            },
            imports=selectors.recent_imports(user=user),
            can_import=has_capability(user, IMPORT),
        )
        return ctx
