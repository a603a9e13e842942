import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gridcheck.archive.services import customer_update
from gridcheck.contracts import services
from gridcheck.contracts.choices import ContractKind, ContractStatus
from gridcheck.contracts.models import ContractEvent
from gridcheck.contracts.selectors import contract_in_force, customers_without_contract

pytestmark = pytest.mark.django_db


def _draft(county, today, user="head_east", customer="east12", **fields):
    return services.contract_draft(
        customer=county.customers[customer],
        user=county.users[user],
        kind=ContractKind.NON_STANDARD,
        valid_from=today - datetime.timedelta(days=10),
        **fields,
    )


def test_lifecycle_sign_in_force_renew_terminate(county, today, full_clauses):
    contract = _draft(county, today, **full_clauses)
    assert contract.status == ContractStatus.DRAFT
    assert contract.valid_to == services.term_limit(contract.valid_from)
    services.contract_sign(
        contract=contract,
        user=county.users["head_east"],
        signed_on=today,
        customer_signatory="客户甲",
        supplier_signatory=county.users["head_east"],
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    assert contract_in_force(county.customers["east12"], today) == contract
    extension = services.contract_renew(
        contract=contract,
        user=county.users["auditor_east"],
        new_valid_to=contract.valid_to + datetime.timedelta(days=365),
        supplier_confirmed_on=today,
        customer_confirmed_on=today,
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.EXTENDED
    assert contract.valid_to == extension.new_valid_to
    services.contract_terminate(contract=contract, user=county.users["head_east"], on=today, reason="销户")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract_in_force(county.customers["east12"], today) is None
    assert list(ContractEvent.objects.filter(contract=contract).values_list("to_status", flat=True)) == [
        "draft",
        "signed",
        "in_force",
        "extended",
        "terminated",
    ]


def test_sign_refused_with_missing_clause(county, today, full_clauses):
    fields = dict(full_clauses, clause_boundary="")
    contract = _draft(county, today, **fields)
    with pytest.raises(ValidationError) as exc:
        services.contract_sign(
            contract=contract,
            user=county.users["head_east"],
            signed_on=today,
            customer_signatory="客户甲",
            supplier_signatory_name="所长",
        )
    assert set(exc.value.message_dict) == {"clause_boundary"}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_no_theft_acknowledgement_refused(county, today, full_clauses):
    contract = _draft(county, today, **dict(full_clauses, theft_liability_acknowledged=False))
    with pytest.raises(ValidationError) as exc:
        services.contract_sign(
            contract=contract,
            user=county.users["head_east"],
            signed_on=today,
            customer_signatory="甲",
            supplier_signatory_name="所长",
        )
    assert "theft_liability_acknowledged" in exc.value.message_dict


def test_activation_refused_without_contract(county, today, full_clauses):
    customer = county.customers["east12"]
    customer_update(customer=customer, user=county.users["admin"], status="suspended")
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, user=county.users["admin"], status="active")
    assert "status" in exc.value.message_dict
    customer.refresh_from_db()
    assert customer.status == "suspended"
    # residential: covered by the notice
    home = county.customers["east11"]
    customer_update(customer=home, user=county.users["admin"], status="suspended")
    customer_update(customer=home, user=county.users["admin"], status="active")
    # with a contract in force the activation passes
    contract = _draft(county, today, **full_clauses)
    services.contract_sign(
        contract=contract,
        user=county.users["head_east"],
        signed_on=today,
        customer_signatory="甲",
        supplier_signatory_name="所长",
    )
    customer = type(customer).objects.get(pk=customer.pk)
    customer_update(customer=customer, user=county.users["admin"], status="active")
    customer.refresh_from_db()
    assert customer.status == "active"


def test_standard_temporary_contract(county, today):
    contract = services.contract_create_standard_temporary(
        customer=county.customers["east22"],
        user=county.users["head_east"],
        valid_from=today,
        valid_to=today + datetime.timedelta(days=120),
        capacity_kva=Decimal("30"),
        sign=True,
        customer_signatory="工地负责人",
    )
    assert contract.kind == ContractKind.STANDARD_TEMPORARY
    assert contract.status == ContractStatus.IN_FORCE
    assert contract_in_force(county.customers["east22"], today) == contract
    assert county.customers["east12"] in customers_without_contract(on=today)
    assert county.customers["east22"] not in customers_without_contract(on=today)
