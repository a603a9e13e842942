import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def full_clauses() -> dict:
    """Every mandatory clause of a non-standard contract, filled."""
    return {
        "clause_supply": "10kV 单电源，全天供电，电压偏差±7%",
        "clause_capacity_use": "受电容量 50 kVA，示范县某镇某村，商业用电",
        "capacity_kva": 50,
        "clause_metering_tariff": "低压计量，一般工商业电价，按月抄表结算",
        "tariff_code": "GEN-1",
        "clause_boundary": "以进户线第一支持物为产权分界点",
        "clause_term": "三年",
        "clause_liability": "按《供电营业规则》承担违约责任",
        "clause_other": "无",
        "theft_liability_acknowledged": True,
        "theft_liability_acknowledged_on": datetime.date(2025, 1, 1),
    }


@pytest.fixture
def contracts(county, today, full_clauses):
    """A signed non-standard contract in force for east12 and one for west12, and a draft for east22."""
    from gridcheck.contracts import services

    made = {}
    admin = county.users["admin"]
    for key in ("east12", "west12"):
        contract = services.contract_draft(
            customer=county.customers[key],
            user=admin,
            kind="non_standard",
            valid_from=today - datetime.timedelta(days=30),
            **full_clauses,
        )
        services.contract_sign(
            contract=contract, user=admin, signed_on=today, customer_signatory="甲", supplier_signatory=admin
        )
        contract.refresh_from_db()
        made[key] = contract
    made["draft"] = services.contract_draft(
        customer=county.customers["east22"], user=admin, kind="non_standard", valid_from=today
    )
    return made
