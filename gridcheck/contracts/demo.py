"""The demo county's contract register (供用电合同台账).

``demo_contracts_build(on=..., seed=7)`` gives every active non-residential customer of every station a
signed non-standard contract (the seven clauses filled from the archive, the customer's acknowledgement
of liability for theft), except:

- about 2 % of them with **no contract at all** (they show on "customers without a contract");
- about 1 % whose contract **expired** without renewal (also without a contract in force);
- about 6 % whose contract **ends within the reminder window** (rule ``contracts.expiry_reminder_days``);

and lends the paper file of two contracts per station (one overdue). The expiry reminders of the day are
then sent to each station's contract managers (in-app, through the outbox).

Residential customers get **no row**: they are covered by the residential notice (居民用电须知) issued
with every residential connection (``selectors.customer_is_covered``), which keeps the register small on a
60,000-customer county.

Fast: one ``bulk_create`` of contracts and one of their events (a county of 60,000 customers in a few
seconds). Idempotent: customers who have a contract already are left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from gridcheck.archive.choices import CustomerCategory, CustomerStatus
from gridcheck.archive.models import Customer, Station
from gridcheck.contracts.choices import ContractKind, ContractStatus
from gridcheck.contracts.models import Contract, ContractEvent, ContractFileLoan
from gridcheck.contracts.services import add_years, contract_expiry_reminders
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int

MISSING_SHARE = 0.02
EXPIRED_SHARE = 0.01
EXPIRING_SHARE = 0.06
BATCH = 2000


def _clauses(customer) -> dict:
    capacity = customer.contracted_capacity_kva
    return {
        "clause_supply": f"{customer.voltage_level} 单电源供电，全天24小时连续供电，电压、频率符合国家标准",
        "clause_capacity_use": f"受电容量 {capacity} kVA；用电地址：{customer.address or '见档案'}；"
        f"用电性质：{customer.get_category_display()}",
        "capacity_kva": capacity,
        "clause_metering_tariff": f"在产权分界处装设计量装置；执行电价 {customer.tariff_code}；按月抄表，次月结清",
        "tariff_code": customer.tariff_code,
        "clause_boundary": "以接户线与进户线连接处为产权分界点，分界点电源侧由供电方维护，负荷侧由用电方维护",
        "clause_term": "合同有效期三年，期满前双方书面确认可续签",
        "clause_liability": "双方按《电力供应与使用条例》《供电营业规则》承担违约责任",
        "clause_other": "用电方增容、变更用电性质须事先办理手续",
        "theft_liability_acknowledged": True,
    }


def demo_contracts_build(*, on: datetime.date, seed: int = 7) -> dict:
    """Build the demo contract register as of ``on``; returns the counts (see the module docstring)."""
    rng = random.Random(seed)
    years = rule_int("contracts.term_years", on=on)
    window = rule_int("contracts.expiry_reminder_days", on=on)
    counts = {"contracts": 0, "expiring": 0, "expired": 0, "missing": 0, "loans": 0, "reminded": 0}
    from gridcheck.users.models import User

    heads = {
        u.station_id: u for u in User.objects.filter(role=Role.STATION_HEAD, is_active=True).order_by("pk")
    }
    with transaction.atomic():
        for station in Station.objects.order_by("code"):
            head = heads.get(station.pk)
            customers = (
                Customer.objects.filter(station=station, status=CustomerStatus.ACTIVE)
                .exclude(category=CustomerCategory.RESIDENTIAL)
                .exclude(contracts__isnull=False)
                .order_by("account_number")
            )
            contracts: list[Contract] = []
            for customer in customers.iterator(chunk_size=BATCH):
                draw = rng.random()
                if draw < MISSING_SHARE:
                    counts["missing"] += 1
                    continue
                if draw < MISSING_SHARE + EXPIRED_SHARE:
                    valid_to = on - datetime.timedelta(days=rng.randint(5, 200))
                    status = ContractStatus.EXPIRED
                    counts["expired"] += 1
                elif draw < MISSING_SHARE + EXPIRED_SHARE + EXPIRING_SHARE:
                    valid_to = on + datetime.timedelta(days=rng.randint(1, window))
                    status = ContractStatus.IN_FORCE
                    counts["expiring"] += 1
                else:
                    valid_to = on + datetime.timedelta(days=rng.randint(window + 1, years * 365 - 1))
                    status = ContractStatus.IN_FORCE
                valid_from = add_years(valid_to + datetime.timedelta(days=1), -years)
                signed_on = valid_from - datetime.timedelta(days=rng.randint(1, 20))
                contracts.append(
                    Contract(
                        number=f"HT-{customer.account_number}-{valid_from:%Y}",
                        kind=ContractKind.NON_STANDARD,
                        customer=customer,
                        station=station,
                        status=status,
                        supplier_signatory=head,
                        supplier_signatory_name="" if head else "供电所所长",
                        customer_signatory=customer.name,
                        signed_on=signed_on,
                        valid_from=valid_from,
                        valid_to=valid_to,
                        prepared_by=head,
                        theft_liability_acknowledged_on=signed_on,
                        **_clauses(customer),
                    )
                )
            Contract.objects.bulk_create(contracts, batch_size=BATCH)
            numbers = [c.number for c in contracts]
            created = []
            for start in range(0, len(numbers), 500):  # a few hundred parameters per query (SQLite)
                created += Contract.objects.filter(number__in=numbers[start : start + 500]).values_list(
                    "pk", "status", "signed_on"
                )
            events = []
            for pk, status, signed_on in created:
                at = datetime.datetime.combine(signed_on, datetime.time(10), tzinfo=datetime.UTC)
                events.append(
                    ContractEvent(
                        contract_id=pk, at=at, actor=head, from_status="", to_status=ContractStatus.SIGNED
                    )
                )
                events.append(
                    ContractEvent(
                        contract_id=pk,
                        at=at,
                        actor=head,
                        from_status=ContractStatus.SIGNED,
                        to_status=ContractStatus.IN_FORCE,
                    )
                )
                if status == ContractStatus.EXPIRED:
                    events.append(
                        ContractEvent(
                            contract_id=pk,
                            at=at,
                            from_status=ContractStatus.IN_FORCE,
                            to_status=ContractStatus.EXPIRED,
                        )
                    )
            ContractEvent.objects.bulk_create(events, batch_size=BATCH)
            counts["contracts"] += len(contracts)
            # Two paper files lent out per station: one due back next week, one overdue.
            if not ContractFileLoan.objects.filter(contract__station=station).exists():
                lendable = [c for c in contracts if c.status == ContractStatus.IN_FORCE][:2]
                for index, contract in enumerate(lendable):
                    lent_on = on - datetime.timedelta(days=7 if index == 0 else 40)
                    ContractFileLoan.objects.create(
                        contract=Contract.objects.get(number=contract.number),
                        borrower=head,
                        borrower_name="" if head else "用电检查班",
                        purpose="用电检查核对合同条款" if index == 0 else "营销稽查调阅",
                        lent_on=lent_on,
                        due_on=lent_on + datetime.timedelta(days=14),
                        lent_by=head,
                    )
                    counts["loans"] += 1
    counts["reminded"] = contract_expiry_reminders(on=on)
    return counts
