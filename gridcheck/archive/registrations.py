"""What the archive adds to the floor: its menu, its home-page tile, its import specs (with their place
in the load order) and its exports."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import (
    TILE_CACHE_S,
    DashboardTile,
    MenuItem,
    SearchProvider,
    access,
    dashboard,
    exports,
    imports,
    menu,
    number_finder,
    search,
)
from gridcheck.core.roles import IMPORT, VIEW_ARCHIVE


def register() -> None:
    access.register("archive", VIEW_ARCHIVE)
    from gridcheck.archive.models import Customer, Meter

    search.register(
        "archive.customers",
        SearchProvider(
            _("Customers"),
            number_finder(Customer, "account_number", _("customer"), lambda c: c.area.name, ("area",)),
            VIEW_ARCHIVE,
            order=10,
        ),
    )
    search.register(
        "archive.meters",
        SearchProvider(
            _("Meters"),
            number_finder(
                Meter,
                "asset_number",
                _("meter"),
                lambda m: str(m.metering_point.customer),
                ("metering_point__customer",),
            ),
            VIEW_ARCHIVE,
            order=20,
        ),
    )
    from gridcheck.archive.models import Area, Station
    from gridcheck.core import scoping

    scoping.register_models(area=Area, station=Station)
    menu.add_section("archive", _("Archive"), order=10)
    for order, (label, url_name) in enumerate(
        [
            (_("Stations"), "archive:station_list"),
            (_("Lines"), "archive:line_list"),
            (_("Transformer areas"), "archive:area_list"),
            (_("Customers"), "archive:customer_list"),
            (_("Metering points"), "archive:meteringpoint_list"),
            (_("Meters"), "archive:meter_list"),
            (_("Tariffs"), "archive:tariff_list"),
        ]
    ):
        menu.add_item("archive", MenuItem(label, url_name, VIEW_ARCHIVE, order=order))
    menu.add_section("data", _("Data"), order=20)
    menu.add_item("data", MenuItem(_("Import"), "archive:import", IMPORT, order=0))
    menu.add_item("data", MenuItem(_("Import history"), "archive:importbatch_list", VIEW_ARCHIVE, order=1))
    _register_imports()
    dashboard.register(
        "archive.summary",
        DashboardTile(
            template="archive/home_tile.html",
            context=_summary_context,
            allowed=VIEW_ARCHIVE,
            order=10,
            cache_s=TILE_CACHE_S,
        ),
    )


#: The archive's entities in the import load order (parents first); users registers staff (20) and
#: qualifications (30) between stations and lines, since an area names its manager.
IMPORT_ORDER = {
    "stations": 10,
    "lines": 40,
    "areas": 50,
    "tariffs": 60,
    "customers": 70,
    "metering_points": 80,
    "meters": 90,
}


def _register_imports() -> None:
    from gridcheck.archive.importers import (
        areas,
        customers,
        lines,
        metering_points,
        meters,
        stations,
        tariffs,
    )

    for module in (stations, lines, areas, tariffs, customers, metering_points, meters):
        spec = module.SPEC
        imports.register(spec.entity, spec, order=IMPORT_ORDER[spec.entity])
        exports.register(spec.entity, spec)


def _summary_context(request) -> dict:
    from gridcheck.archive import selectors

    user = request.user
    counts = selectors.dashboard_counts(user=user)
    breakdown = selectors.customer_breakdown(user=user)
    return {
        "stats": [
            (_("Stations"), counts["stations"], "archive:station_list"),
            (_("Lines"), counts["lines"], "archive:line_list"),
            (_("Transformer areas"), counts["areas"], "archive:area_list"),
            (_("Customers"), counts["customers"], "archive:customer_list"),
            (_("Meters"), counts["meters"], "archive:meter_list"),
        ],
        "counts": counts,
        "breakdown": breakdown,
        "chart_data": {
            "category": [{"name": row["label"], "value": row["count"]} for row in breakdown["by_category"]],
            "classes": {
                "labels": [row["label"] for row in breakdown["by_class"]],
                "values": [row["count"] for row in breakdown["by_class"]],
            },
        },
        "imports": selectors.recent_imports(user=user),
    }
