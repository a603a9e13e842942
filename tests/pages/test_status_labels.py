"""Status labels whose English word means different things in different places are translated in their
own sense: a reading cycle that is closed is not a closed account (销户)."""

import pytest
from django.utils import translation

from gridcheck.archive.choices import CustomerStatus
from gridcheck.billing.choices import AnomalyStatus, CycleStatus
from gridcheck.metering.choices import FaultOutcome
from gridcheck.servicedesk.choices import LeadStatus


@pytest.mark.parametrize(
    ("label", "chinese"),
    [
        (CycleStatus.CLOSED.label, "已结束"),
        (AnomalyStatus.OPEN.label, "待处理"),
        (FaultOutcome.PENDING.label, "待处理"),
        (LeadStatus.NEW.label, "待联系"),
        (CustomerStatus.CLOSED.label, "销户"),
    ],
)
def test_a_status_reads_in_its_own_sense(label, chinese):
    with translation.override("zh-hans"):
        assert str(label) == chinese
