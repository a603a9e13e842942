"""Causes of a flagged area: the analysis' structured causes are stored as they are and worded once."""

import pytest
from django.utils import translation

from gridcheck.lineloss.causes import cause_text, causes_render
from gridcheck.lineloss.models import AreaMonthLoss
from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute
from gridcheck.lineloss.tests.conftest import MONTH
from gridcheck_analytics.lineloss import CAUSE_CODES

#: One cause of each code, numbers unrounded where the analysis could give them so.
EXAMPLES = {
    "low_reading_rate": {"code": "low_reading_rate", "rate": 90.04},
    "customer_drop": {"code": "customer_drop", "meter": "M7", "before_kwh": 2000.4, "after_kwh": 299.6},
    "events": {"code": "events", "event": "loss_of_current", "count": 4},
    "imbalance": {"code": "imbalance", "rate": 30.4},
    "negative_loss": {"code": "negative_loss"},
    "unexplained_loss": {"code": "unexplained_loss"},
}


@pytest.mark.parametrize("code", sorted(CAUSE_CODES))
def test_every_cause_of_the_analysis_is_worded_in_chinese(code):
    assert set(EXAMPLES[code]) == {"code", *CAUSE_CODES[code]}
    with translation.override("zh-hans"):
        text = cause_text(EXAMPLES[code])
    assert text and any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_the_wording_formats_and_rounds_the_numbers():
    with translation.override("zh-hans"):
        assert cause_text(EXAMPLES["low_reading_rate"]) == "实抄率低（90.0 %）：缺抄使售电量偏低"
        assert cause_text(EXAMPLES["customer_drop"]) == "大用户电量骤降：电能表 M7 2000 → 300 kWh"
        assert cause_text(EXAMPLES["events"]) == "电能表事件：失流 × 4"
        assert cause_text(EXAMPLES["imbalance"]) == "配变三相不平衡 30 %"
        assert (
            cause_text({"code": "events", "event": "unknown_code", "count": 1})
            == "电能表事件：unknown_code × 1"
        )
        theft = {"code": "theft_suspects", "count": 2, "accounts": ["1001", "1002"]}
        assert cause_text(theft) == "2 户在窃电嫌疑名单上（1001, 1002）：请优先核查"
        assert causes_render([EXAMPLES["imbalance"], EXAMPLES["negative_loss"]]) == (
            "配变三相不平衡 30 %\n负损：可能户变关系错误，或台区总表倍率错误"
        )


def test_a_stored_cause_of_an_unknown_code_shows_its_text():
    assert cause_text({"code": "other", "text": "free text"}) == "free text"


@pytest.mark.django_db
def test_the_run_stores_the_analysis_causes_and_their_wording(county, meter_data):
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    east1 = AreaMonthLoss.objects.get(area=county.areas["east1"], month=MONTH)
    # 10 % loss above the 7 % target with every reading: nothing in the data explains it
    assert east1.causes == [{"code": "unexplained_loss"}]
    assert east1.causes_text == "线损超指标但数据无异常：疑似窃电或无表用电，请现场检查"
    west2 = AreaMonthLoss.objects.get(area=county.areas["west2"], month=MONTH)
    assert west2.causes == [{"code": "imbalance", "rate": 40.0}]  # (100 - 60) / 100
    assert west2.causes_text == "配变三相不平衡 40 %"
    east2 = AreaMonthLoss.objects.get(area=county.areas["east2"], month=MONTH)
    assert not east2.flagged and east2.causes == [] and east2.causes_text == ""
    assert run.pk
