"""Archive import: the user's scope on every row, and look-alike identifiers (one customer, not two)."""

import pytest

from gridcheck.archive.importers import import_file
from gridcheck.archive.models import (
    Company,
    Customer,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)
from gridcheck.archive.tests.test_importers import (  # noqa: F401 - helpers and the ``english`` fixture
    CUSTOMER_HEADER,
    customer_row,
    db_state,
    english,
    rejected,
    write_csv,
    write_xlsx,
)


def test_station_user_cannot_import_into_another_station(county, tmp_path):
    path = write_csv(
        tmp_path,
        "customers.csv",
        [CUSTOMER_HEADER, customer_row("9000000001"), customer_row("9000000002", area="S02-A1")],
    )
    error = rejected(entity="customers", path=path, user=county.users["inspector_east"])
    assert [(e.row, e.column, e.reason) for e in error.errors] == [(3, "台区编号", "not in your station")]
    assert not Customer.objects.filter(account_number="9000000001").exists()
    assert error.batch.station == county.stations["east"]
    assert error.batch.started_by == county.users["inspector_east"]


def test_station_user_cannot_move_another_stations_customer(county, tmp_path):
    west = county.customers["west11"]
    path = write_csv(
        tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row(west.account_number, area="S01-A1")]
    )
    error = rejected(entity="customers", path=path, user=county.users["head_east"])
    assert error.errors[0].reason == "not in your station"
    west.refresh_from_db()
    assert west.station == county.stations["west"]


def test_county_user_imports_anywhere(county, tmp_path):
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000002", area="S02-A1")])
    batch = import_file(entity="customers", path=path, user=county.users["admin"])
    assert batch.rows_created == 1


def test_user_without_import_capability_is_refused(county, tmp_path):
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001")])
    error = rejected(entity="customers", path=path, user=county.users["reader_east"])
    assert "not allowed" in error.errors[0].reason
    assert not Customer.objects.filter(account_number="9000000001").exists()


def test_tariffs_are_county_level_only(county, tmp_path):
    path = write_csv(
        tmp_path,
        "t.csv",
        [
            ["电价代码", "电价名称", "电价类别", "电度电价(元/kWh)", "执行日期"],
            ["X", "X", "居民生活", "1", "2024-01-01"],
        ],
    )
    error = rejected(entity="tariffs", path=path, user=county.users["head_east"])
    assert "county-level" in error.errors[0].reason
    assert not Tariff.objects.filter(code="X").exists()


def test_station_user_may_only_touch_own_station_row(county, tmp_path):
    path = write_csv(
        tmp_path,
        "st.csv",
        [["公司编码", "供电所编码", "供电所名称"], ["C01", "S01", "东城所"], ["C01", "S02", "西山所"]],
    )
    error = rejected(entity="stations", path=path, user=county.users["head_east"])
    assert [(e.row, e.reason) for e in error.errors] == [(3, "not in your station")]
    assert Station.objects.get(code="S01").name == "东城供电所"


def test_line_of_unknown_station(county, tmp_path):
    path = write_csv(tmp_path, "l.csv", [["供电所编码", "线路编号", "线路名称"], ["S99", "L9", "九线"]])
    error = rejected(entity="lines", path=path)
    assert (error.errors[0].column, error.errors[0].reason) == ("供电所编码", 'station "S99" not found')
    assert not Line.objects.filter(code="L9").exists()


def test_new_company_is_rolled_back_when_another_row_fails(db, tmp_path):
    path = write_csv(
        tmp_path,
        "st.csv",
        [
            ["公司编码", "公司名称", "供电所编码", "供电所名称"],
            ["C77", "新公司", "S77", "新所"],
            ["C77", "新公司", "", "无编码"],
        ],
    )
    error = rejected(entity="stations", path=path)
    assert [(e.row, e.column, e.reason) for e in error.errors] == [(3, "供电所编码", "a value is required")]
    assert not Company.objects.filter(code="C77").exists()
    assert not Company.history.filter(code="C77").exists()
    assert not Station.objects.filter(code="S77").exists()


def test_row_numbers_count_blank_and_title_rows(county, tmp_path):
    rows = [
        ["客户档案"],
        [],
        CUSTOMER_HEADER,
        customer_row("9000000001"),
        [],
        customer_row("9000000002", capacity="0"),
    ]
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", rows))
    assert [(e.row, e.column) for e in error.errors] == [(6, "合同容量(kVA)")]


def test_old_xls_is_refused_with_advice(county, tmp_path):
    path = tmp_path / "customers.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 100)
    error = rejected(entity="customers", path=path)
    assert ".xlsx" in error.errors[0].reason


def test_empty_xlsx_and_broken_xlsx(county, tmp_path):
    empty = write_xlsx(tmp_path, "empty.xlsx", [])
    assert rejected(entity="customers", path=empty).errors[0].reason == "the file is empty"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 10)
    error = rejected(entity="customers", path=broken)
    assert (error.errors[0].file, error.errors[0].row) == ("broken.xlsx", None)
    assert error.errors[0].reason.startswith("the XLSX file cannot be opened")


def test_file_name_given_by_caller_is_used_in_errors_and_history(county, tmp_path):
    path = write_csv(tmp_path, "tmp123", [CUSTOMER_HEADER, customer_row("9000000001")])
    import_file(entity="customers", path=path, file_name="客户档案.csv")
    assert (
        Customer.objects.get(account_number="9000000001").history.get().history_change_reason
        == "导入 客户档案.csv"
    )
    bad = write_csv(tmp_path, "tmp456", [CUSTOMER_HEADER])
    assert rejected(entity="customers", path=bad, file_name="空.csv").errors[0].file == "空.csv"


# -- look-alike identifiers (finding 10) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "look_alike",
    [
        "１２３\u200b45",  # full-width digits and a zero-width space
        "\ufeff12345",  # a byte-order mark pasted in front
        "12345\u00a0",  # a non-breaking space after
        "123\u200d4\u20605",  # zero-width joiner, word joiner
        "１２３４５",  # all full-width
        "\u200e12345\u3000",  # left-to-right mark, ideographic space
    ],
)
def test_look_alike_account_number_updates_the_same_customer(county, tmp_path, look_alike):
    first = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("12345", name="原名")])
    import_file(entity="customers", path=first)
    count = Customer.objects.count()
    again = write_csv(tmp_path, "again.csv", [CUSTOMER_HEADER, customer_row(look_alike, name="新名")])
    batch = import_file(entity="customers", path=again)
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    assert Customer.objects.count() == count
    assert Customer.objects.get(account_number="12345").name == "新名"


def test_look_alike_account_number_in_xlsx_and_parent_codes(county, tmp_path):
    import_file(
        entity="customers", path=write_csv(tmp_path, "c.csv", [CUSTOMER_HEADER, customer_row("12345")])
    )
    # Full-width area code and tariff code name the same parents; the account number is the same customer.
    row = customer_row("１２３\u200b45", area="Ｓ01－Ａ1\u200b", name="新名")
    row[7] = "ＲＥＳ－１"
    batch = import_file(entity="customers", path=write_xlsx(tmp_path, "c.xlsx", [CUSTOMER_HEADER, row]))
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    customer = Customer.objects.get(account_number="12345")
    assert (customer.name, customer.area.code, customer.tariff_code) == ("新名", "S01-A1", "RES-1")


def test_look_alikes_within_one_file_are_duplicates(county, tmp_path):
    path = write_csv(
        tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("12345"), customer_row("１２３\u200b45")]
    )
    error = rejected(entity="customers", path=path)
    assert [(e.row, e.column, e.reason) for e in error.errors] == [
        (3, "户号", 'duplicate 户号 "12345": also in row 2')
    ]


@pytest.mark.parametrize(
    "account,shown",
    [
        ("123 45", "U+0020 SPACE"),
        ("12345号", "「号」(U+53F7)"),
        ("1234\u31645", "U+1160"),  # a blank-looking letter (NFKC makes it U+1160)
        ("12\u034f345", "U+034F COMBINING GRAPHEME JOINER"),
    ],
)
def test_identifier_with_characters_outside_the_allowed_set_is_refused(county, tmp_path, account, shown):
    before = db_state()
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row(account)])
    error = rejected(entity="customers", path=path)
    assert len(error.errors) == 1
    problem = error.errors[0]
    assert (problem.file, problem.row, problem.column) == ("customers.csv", 2, "户号")
    assert "contains characters not allowed here" in problem.reason
    assert shown in problem.reason
    assert str(problem).startswith("customers.csv row 2 「户号」: ")
    assert db_state() == before


def test_identifier_of_only_invisible_characters_is_refused(county, tmp_path):
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("\u200b\ufeff")])
    error = rejected(entity="customers", path=path)
    assert [(e.row, e.column) for e in error.errors] == [(2, "户号")]
    assert error.errors[0].reason == (
        "holds only invisible characters (U+200B ZERO WIDTH SPACE、U+FEFF ZERO WIDTH NO-BREAK SPACE)"
    )


def test_look_alike_meter_and_metering_point_codes(county, tmp_path):
    point = MeteringPoint.objects.get(code="MP1100000001")
    meter = point.meters.get()
    path = write_csv(
        tmp_path,
        "m.csv",
        [
            ["计量点编号", "资产编号", "相线", "准确度等级", "电流规格"],
            ["ＭＰ1100000001\u200b", "\ufeff" + meter.asset_number, "单相", "1.0", "5(60)A"],
        ],
    )
    batch = import_file(entity="meters", path=path)
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    meter.refresh_from_db()
    assert meter.accuracy_class == "1.0"
    assert Meter.objects.count() == Meter.objects.filter(asset_number__regex=r"^[A-Za-z0-9]+$").count()
