"""Status labels whose English word means different things in different places are translated in their
own sense: a reading cycle that is closed is not a closed account (销户)."""

import pytest
from django.utils import translation

from gridcheck.archive.choices import CustomerStatus
from gridcheck.billing.choices import AnomalyStatus, CycleStatus
from gridcheck.collection.choices import DunningStatus
from gridcheck.core.runs import RunStatus
from gridcheck.metering.choices import AcceptanceResult, FaultOutcome
from gridcheck.notifications.choices import MessageStatus
from gridcheck.servicedesk.choices import ComplaintChannel, LeadStatus


@pytest.mark.parametrize(
    ("label", "chinese"),
    [
        (CycleStatus.CLOSED.label, "已结束"),
        (AnomalyStatus.OPEN.label, "待处理"),
        (FaultOutcome.PENDING.label, "待处理"),
        (LeadStatus.NEW.label, "待联系"),
        (CustomerStatus.CLOSED.label, "销户"),
        (RunStatus.QUEUED.label, "排队中"),  # an analysis waiting for a worker
        (MessageStatus.QUEUED.label, "待发送"),  # a message waiting to be sent
        (DunningStatus.ISSUED.label, "已开具"),  # not 已发行, which is a bill's
        (ComplaintChannel.HOTLINE.label, "95598 服务热线"),  # not the tip-off line 举报电话
        (AcceptanceResult.FAILED.label, "不合格"),
    ],
)
def test_a_status_reads_in_its_own_sense(label, chinese):
    with translation.override("zh-hans"):
        assert str(label) == chinese


@pytest.mark.parametrize(
    ("model", "field", "chinese"),
    [
        ("hazards.Hazard", "description", "隐患描述"),
        ("audit.AuditRule", "description", "描述"),  # not a hazard's
        ("cases.Case", "closed_on", "结案日期"),
        ("temporary_supply.TemporarySupply", "closed_on", "销户日期"),  # not a case's
        ("lineloss.RectificationPlan", "closed_on", "整改完成日期"),
        ("users.Qualification", "issued_on", "发证日期"),
        ("metering.RectificationNotice", "issued_on", "下发日期"),  # not a certificate's
        ("billing.MeterReading", "entered_by", "录入人"),  # not a complaint's 受理人
        ("assessment.Scorecard", "total_points", "总分"),
    ],
)
def test_a_field_reads_in_its_own_sense(model, field, chinese):
    from django.apps import apps

    with translation.override("zh-hans"):
        assert str(apps.get_model(model)._meta.get_field(field).verbose_name) == chinese
