"""Every input name of a calculation line has its Chinese name (run last: the analytics tests before it
record the names their calculations used, fixture ``input_names_seen``)."""

from gridcheck_analytics.billing import bill
from gridcheck_analytics.penalties.labels import INPUT_LABELS, inputs_text


def test_a_full_bill_reads_in_chinese():
    calculation = bill(
        bill_period="2025-03",
        energies={"total": 24000, "peak": 8000, "valley": 6000, "reactive": 16000},
        time_of_use_prices_yuan_per_kwh={"peak": "0.96", "flat": "0.60", "valley": "0.27"},
        basic_charge={"capacity_kva": 315, "price_yuan_per_kva_month": 30},
        power_factor_class="high_voltage_industrial",
        transformer_loss={"no_load_loss_kw": "0.5", "load_loss_kw": "3.2", "hours": 720, "capacity_kva": 315},
        mixed_use={"share": "0.1", "price_yuan_per_kwh": "0.56", "category": "居民生活"},
        funds=["renewable_energy_surcharge"],
    )
    texts = [inputs_text(item.inputs) for item in calculation.items]
    assert any("电价(元/kWh) = 0.96" in text for text in texts)
    assert all("_kwh" not in text and "_yuan" not in text for text in texts), texts


def test_every_input_name_seen_has_a_chinese_name(input_names_seen):
    missing = sorted(input_names_seen - set(INPUT_LABELS))
    assert input_names_seen, "no calculation ran before this test"
    assert not missing, f"name these inputs in gridcheck_analytics/penalties/labels.py: {missing}"
