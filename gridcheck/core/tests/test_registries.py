"""The ordered registry behind ``registries.imports``: iteration by the order given, duplicates refused."""

import pytest

from gridcheck.core.registries import OrderedRegistry, imports


def test_ordered_registry_iterates_by_order_then_registration():
    registry = OrderedRegistry("thing")
    registry.register("c", "C", order=30)
    registry.register("a", "A", order=10)
    registry.register("b", "B", order=30)
    registry.register("a", "A", order=10)  # the same item again is harmless
    assert registry.names() == ["a", "c", "b"]
    assert list(registry.values()) == ["A", "C", "B"]
    assert registry["b"] == "B" and "c" in registry
    with pytest.raises(ValueError):
        registry.register("a", "another", order=5)


def test_apps_register_the_import_entities_in_load_order():
    assert imports.names()[:3] == ["stations", "staff", "qualifications"]
    names = imports.names()
    assert names.index("meters") == 8  # the archive's last; the apps above follow
    assert names.index("meters") < names.index("metering_assets")
