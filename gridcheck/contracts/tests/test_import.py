import csv
import io

import pytest
from django.utils import translation

from gridcheck.archive.importers import ImportRejected, import_file
from gridcheck.contracts.models import Contract

pytestmark = pytest.mark.django_db

HEADER = [
    "合同编号", "户号", "合同类型", "合同状态", "签订日期", "生效日期", "到期日期", "用电方签约人", "合同容量(kVA)",
    "电价代码", "供电方式、质量和时间", "用电容量、地址和性质", "计量方式和电价、电费结算方式",
    "供用电设施维护责任分界点", "合同有效期限条款", "违约责任", "双方约定的其他条款", "窃电法律责任告知确认",
    "告知确认日期", "超期批准人",
]  # fmt: skip
CLAUSES = ["10kV", "50kVA 商业", "一般工商业", "进户线", "三年", "按规则", "无"]


def row(
    number,
    account="1200000002",
    start="2025-01-01",
    end="2027-12-31",
    status="履行中",
    clauses=None,
    approver="",
):
    return [
        number, account, "非标准合同", status, "2024-12-20", start, end, "张三", "50", "GEN-1",
        *(CLAUSES if clauses is None else clauses), "是", "2024-12-20", approver,
    ]  # fmt: skip


def write(tmp_path, rows, name="contracts.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_import_creates_and_is_idempotent(county, tmp_path):
    account = county.customers["east12"].account_number
    path = write(tmp_path, [row("HT-1", account), row("HT-2", county.customers["east22"].account_number)])
    batch = import_file(entity="contracts", path=path, user=county.users["head_east"])
    assert batch.rows_created == 2
    contract = Contract.objects.get(number="HT-1")
    assert contract.customer == county.customers["east12"] and contract.status == "in_force"
    assert contract.station == county.stations["east"]
    again = import_file(entity="contracts", path=path, user=county.users["head_east"])
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)


def test_bad_rows_are_named_and_nothing_is_written(county, tmp_path):
    account = county.customers["east12"].account_number
    missing_clause = list(CLAUSES)
    missing_clause[3] = ""
    path = write(
        tmp_path,
        [
            row("HT-1", account, start="2025-01-01", end="2024-12-31"),  # end before start
            row("HT-2", account, start="2025-01-01", end="2030-12-31"),  # over the term, no approver
            row("HT-3", account, clauses=missing_clause),  # a mandatory clause missing
            row("HT-4", county.customers["west12"].account_number),  # another station's customer
            row(
                "HT-5", account, start="2025-01-01", end="2030-12-31", approver="head_east"
            ),  # importer approves
        ],
    )
    with pytest.raises(ImportRejected) as info:
        import_file(entity="contracts", path=path, user=county.users["head_east"])
    errors = {(e.row, e.column) for e in info.value.errors}
    assert errors == {
        (2, "到期日期"),
        (3, "到期日期"),
        (4, "供用电设施维护责任分界点"),
        (5, "户号"),
        (6, "超期批准人"),
    }
    assert not Contract.objects.exists()


def test_over_term_with_another_approver(county, tmp_path):
    account = county.customers["east12"].account_number
    path = write(tmp_path, [row("HT-9", account, start="2025-01-01", end="2030-12-31", approver="head_east")])
    import_file(entity="contracts", path=path, user=county.users["auditor_east"])
    contract = Contract.objects.get(number="HT-9")
    assert contract.term_approved_by == county.users["head_east"]


def test_export_then_reimport_changes_nothing(contracts, tmp_path):
    from gridcheck.core.exports import export_xlsx

    path = tmp_path / "contracts.xlsx"
    path.write_bytes(export_xlsx("contracts", Contract.objects.all()))
    history = Contract.history.count()
    batch = import_file(entity="contracts", path=path)
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (0, 0, Contract.objects.count())
    assert Contract.history.count() == history
