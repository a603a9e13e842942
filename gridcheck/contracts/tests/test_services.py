import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

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


def _sign(county, today, contract, customer_signatory):
    """The head of the east station signs ``contract`` today."""
    services.contract_sign(
        contract=contract,
        user=county.users["head_east"],
        signed_on=today,
        customer_signatory=customer_signatory,
        supplier_signatory=county.users["head_east"],
    )


def test_lifecycle_sign_in_force_renew_terminate(county, today, full_clauses):
    contract = _draft(county, today, **full_clauses)
    assert contract.status == ContractStatus.DRAFT
    assert contract.valid_to == services.term_limit(contract.valid_from)
    _sign(county, today, contract, "客户甲")
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
    # the history's reasons read as words in the site's language, not status keys
    from django.utils import translation

    with translation.override("zh-hans"):
        contract = _draft(county, today, customer="east11", **full_clauses)
        _sign(county, today, contract, "客户乙")
    reasons = [h.history_change_reason for h in contract.history.order_by("history_id")]
    assert reasons[0] == "起草" and not any("->" in r or "_" in r for r in reasons), reasons
    assert any("→" in r for r in reasons), reasons


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


def test_agreement_contradiction_refused(county, today, full_clauses):
    contract = _draft(county, today, **full_clauses)
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as exc:
        services.agreement_add(contract=contract, user=head, kind="dispatch", capacity_kva=Decimal("80"))
    assert "capacity_kva" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.agreement_add(contract=contract, user=head, kind="settlement", tariff_code="RES-1")
    assert "tariff_code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.agreement_add(
            contract=contract,
            user=head,
            kind="own_generation",
            valid_to=contract.valid_to + datetime.timedelta(days=1),
        )
    assert "valid_to" in exc.value.message_dict
    ok = services.agreement_add(
        contract=contract, user=head, kind="dispatch", capacity_kva=Decimal("50"), tariff_code="GEN-1"
    )
    assert list(contract.agreements.all()) == [ok]


def test_over_term_needs_approval_by_someone_else(county, today, full_clauses):
    head, auditor = county.users["head_east"], county.users["auditor_east"]
    start = today - datetime.timedelta(days=1)
    contract = _draft(county, today, **full_clauses, valid_to=services.add_years(start, 5))
    with pytest.raises(ValidationError) as exc:
        services.contract_sign(
            contract=contract,
            user=head,
            signed_on=today,
            customer_signatory="甲",
            supplier_signatory_name="所长",
        )
    assert "valid_to" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # the preparer never approves
        services.contract_approve_term(contract=contract, user=head)
    with pytest.raises(PermissionDenied):  # an auditor manages contracts but does not approve
        services.contract_approve_term(contract=contract, user=auditor)
    other = services.contract_draft(
        customer=county.customers["east22"],
        user=auditor,
        kind=ContractKind.NON_STANDARD,
        valid_from=start,
        valid_to=services.add_years(start, 5),
        **full_clauses,
    )
    services.contract_approve_term(contract=other, user=head)
    services.contract_sign(
        contract=other, user=auditor, signed_on=today, customer_signatory="乙", supplier_signatory_name="所长"
    )
    other.refresh_from_db()
    assert other.status == ContractStatus.IN_FORCE and other.term_approved_by == head


def test_end_before_start_refused(county, today):
    with pytest.raises(ValidationError) as exc:
        services.contract_draft(
            customer=county.customers["east12"],
            user=county.users["head_east"],
            kind=ContractKind.STANDARD_TEMPORARY,
            valid_from=today,
            valid_to=today - datetime.timedelta(days=1),
        )
    assert "valid_to" in exc.value.message_dict


def test_scope_east_user_cannot_touch_west(county, today, full_clauses):
    west = services.contract_draft(
        customer=county.customers["west12"],
        user=county.users["admin"],
        kind=ContractKind.NON_STANDARD,
        valid_from=today,
        **full_clauses,
    )
    with pytest.raises(PermissionDenied):
        services.contract_update(contract=west, user=county.users["head_east"], clause_other="改")
    with pytest.raises(PermissionDenied):
        _draft(county, today, customer="west12", **full_clauses)
    with pytest.raises(PermissionDenied):  # an inspector reads contracts but does not manage them
        _draft(county, today, user="inspector_east", **full_clauses)


def test_supersede_on_signing(county, today, full_clauses):
    head = county.users["head_east"]
    old = _draft(county, today, **full_clauses)
    services.contract_sign(
        contract=old, user=head, signed_on=today, customer_signatory="甲", supplier_signatory=head
    )
    old.refresh_from_db()
    with pytest.raises(ValidationError):  # no main clause changed
        services.contract_supersede(contract=old, user=head, valid_from=today, note="x")
    new = services.contract_supersede(contract=old, user=head, valid_from=today, capacity_kva=Decimal("100"))
    assert new.status == ContractStatus.DRAFT and new.replaces == old
    old.refresh_from_db()
    assert old.status == ContractStatus.IN_FORCE  # until the new one is signed
    services.contract_sign(
        contract=new, user=head, signed_on=today, customer_signatory="甲", supplier_signatory=head
    )
    old.refresh_from_db()
    assert old.status == ContractStatus.SUPERSEDED and old.superseded_by == new
    assert contract_in_force(county.customers["east12"], today) == new


def test_loans(county, today, full_clauses):
    head = county.users["head_east"]
    contract = _draft(county, today, **full_clauses)
    loan = services.loan_out(
        contract=contract,
        user=head,
        borrower_name="检查班",
        lent_on=today,
        due_on=today + datetime.timedelta(days=7),
    )
    with pytest.raises(ValidationError):
        services.loan_out(contract=contract, user=head, borrower_name="别人", lent_on=today, due_on=today)
    services.loan_return(loan=loan, user=head, returned_on=today)
    with pytest.raises(ValidationError):
        services.loan_return(loan=loan, user=head, returned_on=today)


def test_daily_job_and_reminders_once(county, today, full_clauses):
    from gridcheck.notifications.models import Message

    head = county.users["head_east"]
    contract = services.contract_draft(
        customer=county.customers["east12"],
        user=head,
        kind=ContractKind.NON_STANDARD,
        valid_from=today - datetime.timedelta(days=800),
        valid_to=today + datetime.timedelta(days=10),
        **full_clauses,
    )
    services.contract_sign(
        contract=contract,
        user=head,
        signed_on=today - datetime.timedelta(days=800),
        customer_signatory="甲",
        supplier_signatory=head,
    )
    future = services.contract_draft(
        customer=county.customers["east22"],
        user=head,
        kind=ContractKind.STANDARD_TEMPORARY,
        valid_from=today + datetime.timedelta(days=1),
        valid_to=today + datetime.timedelta(days=90),
    )
    services.contract_sign(
        contract=future, user=head, signed_on=today, customer_signatory="乙", supplier_signatory=head
    )
    future.refresh_from_db()
    assert future.status == ContractStatus.SIGNED
    first = services.contracts_daily(on=today)
    # both thresholds (60 and 15 days) are crossed by a contract ending in 10 days: two reminders
    assert first["reminded"] == 2
    sent = Message.objects.count()
    assert sent >= 2  # the east station's contract managers (head, auditor)
    assert services.contracts_daily(on=today)["reminded"] == 0
    assert Message.objects.count() == sent
    later = services.contracts_daily(on=today + datetime.timedelta(days=11))
    assert later["expired"] == 1 and later["in_force"] == 1
    contract.refresh_from_db()
    future.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED and future.status == ContractStatus.IN_FORCE


def test_case_links_to_contract_in_force(county, today, full_clauses):
    from gridcheck.cases.services import case_create

    head = county.users["head_east"]
    contract = _draft(county, today, **full_clauses)
    services.contract_sign(
        contract=contract, user=head, signed_on=today, customer_signatory="甲", supplier_signatory=head
    )
    from gridcheck.cases.choices import ViolationType

    case = case_create(
        customer=county.customers["east12"],
        kind="violation",
        violation_type=ViolationType.values[0],
        case_date=today,
        created_by=county.users["inspector_east"],
    )
    assert list(contract.case_links.values_list("case_id", flat=True)) == [case.pk]
