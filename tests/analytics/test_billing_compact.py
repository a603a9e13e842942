"""A bill calculation stored compact (layout once, figures per bill) expands to exactly ``to_dict()``."""

import json

import pytest

from gridcheck_analytics.billing import bill
from gridcheck_analytics.billing.compact import Compactor, expand, is_compact, layout_digest

PARTS = [
    {
        "meter": "M-OLD",
        "ct_ratio": "20",
        "pt_ratio": "100",
        "register_digits": 4,
        "registers": {
            "total": {"start": "9950", "end": "30", "rollover": True},
            "peak": {"start": "100", "end": "110"},
            "valley": {"start": "50", "end": "60"},
            "reactive": {"start": "10", "end": "40"},
        },
    },
    {
        "meter": "M-NEW",
        "ct_ratio": "20",
        "pt_ratio": "100",
        "registers": {
            "total": {"start": "0", "end": "12"},
            "peak": {"start": "0", "end": "4"},
            "valley": {"start": "0", "end": "3"},
            "reactive": {"start": "0", "end": "8"},
        },
    },
]

CASES = {
    "residential tiers": {
        "bill_period": "2025-03-05",
        "meters": [{"meter": "M1", "ct_ratio": "1", "registers": {"total": {"start": "100", "end": "350"}}}],
        "tiers": "demo_residential",
        "energy_billed_earlier_in_year_kwh": "2700",
    },
    "commercial flat with funds": {
        "bill_period": "2025-03-05",
        "meters": [
            {"meter": "M2", "ct_ratio": "40", "registers": {"total": {"start": "200", "end": "212.5"}}}
        ],
        "flat_price_yuan_per_kwh": "0.65",
        "funds": ["renewable_energy_surcharge"],
    },
    "two-part time-of-use, meter change, power factor": {
        "bill_period": "2025-03-05",
        "meters": PARTS,
        "time_of_use_prices_yuan_per_kwh": {"peak": "0.96", "flat": "0.60", "valley": "0.27"},
        "basic_charge": {"capacity_kva": "315", "price_yuan_per_kva_month": "30"},
        "power_factor_class": "high_voltage_industrial",
        "funds": ["renewable_energy_surcharge"],
    },
    "transformer loss and mixed use": {
        "bill_period": "2025-03-05",
        "energies": {"total": "500", "reactive": "100"},
        "flat_price_yuan_per_kwh": "0.65",
        "transformer_loss": {
            "no_load_loss_kw": "0.17",
            "load_loss_kw": "0.87",
            "hours": "672",
            "capacity_kva": "50",
        },
        "mixed_use": {"share": "0.2", "price_yuan_per_kwh": "0.56", "category": "居民生活用电"},
    },
}


@pytest.mark.parametrize("name", CASES)
def test_expand_gives_back_to_dict(name):
    compactor = Compactor()
    calculation = bill(**CASES[name])
    document = compactor.compact(calculation)
    assert is_compact(document)
    # Through JSON, as the database keeps it.
    document = json.loads(json.dumps(document))
    layout = json.loads(json.dumps(compactor.layouts[document["layout"]]))
    assert layout_digest(layout) == document["layout"]
    assert expand(document, layout) == calculation.to_dict()
    assert "formula" not in json.dumps(document)


def test_one_layout_for_bills_that_differ_only_in_figures_and_meters():
    compactor = Compactor()
    documents = []
    for n, end in enumerate(("150", "260", "1000")):
        kwargs = dict(CASES["commercial flat with funds"])
        kwargs["meters"] = [
            {"meter": f"M{n}", "ct_ratio": "40", "registers": {"total": {"start": "0", "end": end}}}
        ]
        documents.append((compactor.compact(bill(**kwargs)), bill(**kwargs).to_dict()))
    assert len(compactor.layouts) == 1
    layout = next(iter(compactor.layouts.values()))
    for document, whole in documents:
        assert expand(document, layout) == whole
    # Another shape (tiers) is another layout; the same content always has the same digest.
    compactor.compact(bill(**CASES["residential tiers"]))
    assert len(compactor.layouts) == 2
    again = Compactor()
    assert again.compact(bill(**CASES["residential tiers"]))["layout"] in compactor.layouts


def test_whole_calculations_are_not_compact():
    assert not is_compact(bill(**CASES["residential tiers"]).to_dict())
    assert not is_compact({})
