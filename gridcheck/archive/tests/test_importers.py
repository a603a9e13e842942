"""The archive import engine: formats, encodings, errors (file, row, column, reason), scoping, upserts
and the audit trail. Reasons are checked in English (the msgids) so the tests hold in any locale."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from gridcheck.archive.importers import ImportRejected, RowError, import_file
from gridcheck.archive.models import (
    Area,
    Company,
    Customer,
    ImportBatch,
    Meter,
    MeteringPoint,
)
from gridcheck.core.registries import exports, imports
from gridcheck.users.models import User

CUSTOMER_HEADER = [
    "台区编号",
    "户号",
    "户名",
    "用电地址",
    "用电类别",
    "电压等级",
    "合同容量(kVA)",
    "电价代码",
    "检查类别",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write_csv(tmp_path, name, rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(tmp_path, name, rows, merges=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    path = tmp_path / name
    workbook.save(path)
    return path


def customer_row(account, area="S01-A1", capacity="8", name="新客户"):
    return [area, account, name, "东城镇1号", "居民", "220V", capacity, "RES-1", "C"]


def db_state():
    """Counts of everything an import could touch, history included."""
    return (
        Customer.objects.count(),
        Customer.history.count(),
        Area.objects.count(),
        MeteringPoint.objects.count(),
        Meter.objects.count(),
        list(Customer.objects.order_by("pk").values_list("name", "contracted_capacity_kva")),
    )


def rejected(**kwargs) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        import_file(**kwargs)
    return info.value


# -- the public interface ------------------------------------------------------------------------------


def test_entities_in_load_order_and_every_one_has_a_spec():
    entities = imports.names()
    # The archive's entities first; the apps above add theirs after (contracts, metering assets ...).
    assert entities[:9] == [
        "stations",
        "staff",
        "qualifications",
        "lines",
        "areas",
        "tariffs",
        "customers",
        "metering_points",
        "meters",
    ]
    # Each entity comes after the ones its rows refer to.
    parents = {
        "lines": ["stations"],
        "staff": ["stations"],
        "qualifications": ["staff"],
        "areas": ["lines", "staff"],  # owner_username names a member of staff
        "customers": ["areas", "tariffs"],
        "metering_points": ["customers"],
        "meters": ["metering_points"],
        "metering_assets": ["meters"],
        "contracts": ["customers"],
    }
    for child, needed in parents.items():
        for parent in needed:
            assert entities.index(parent) < entities.index(child), (parent, child)
    # Every importable entity has its spec, and exports with the same spec (export → re-import).
    assert all(imports[entity].entity == entity and exports[entity] is imports[entity] for entity in entities)
    for spec in imports.values():
        names = [c.name for c in spec.columns]
        assert len(names) == len(set(names))
        headers = [c.header for c in spec.columns]
        assert len(headers) == len(set(headers)), spec.entity


def test_row_error_str_names_file_row_column_and_reason():
    error = RowError("customers.csv", 5, "合同容量", 'not a number: "abc"')
    assert str(error) == 'customers.csv row 5 「合同容量」: not a number: "abc"'
    assert str(RowError("a.csv", None, None, "the file is empty")) == "a.csv: the file is empty"


# -- happy paths --------------------------------------------------------------------------------------


def test_customers_csv_creates_rows_with_station_from_area_and_history(county, tmp_path):
    path = write_csv(
        tmp_path,
        "customers.csv",
        [
            CUSTOMER_HEADER,
            customer_row("9000000001"),
            customer_row("9000000002", area="S02-A1", capacity="12.5"),
        ],
    )
    batch = import_file(entity="customers", path=path, user=county.users["admin"])
    assert (batch.status, batch.rows_total, batch.rows_created, batch.rows_updated) == ("succeeded", 2, 2, 0)
    assert batch.encoding == "UTF-8"
    assert len(batch.sha256) == 64
    second = Customer.objects.get(account_number="9000000002")
    assert second.station == county.stations["west"]
    assert second.contracted_capacity_kva == Decimal("12.5")
    assert second.category == "residential"
    record = second.history.get()
    assert record.history_user == county.users["admin"]
    assert record.history_change_reason == "导入 customers.csv"
    assert record.history_type == "+"


def test_an_import_runs_with_the_cycle_collector_paused_then_restores_it(county, tmp_path, monkeypatch):
    import gc

    spec = imports["customers"]
    resolve, seen = spec.resolve, []

    def spy(ctx, values, row_no):
        seen.append(gc.isenabled())
        return resolve(ctx, values, row_no)

    monkeypatch.setattr(spec, "resolve", spy)
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001")])
    assert gc.isenabled()
    import_file(entity="customers", path=path, user=county.users["admin"])
    assert seen == [False]
    assert gc.isenabled()


def test_same_file_twice_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001")])
    import_file(entity="customers", path=path, user=county.users["admin"])
    history = Customer.history.count()
    again = import_file(entity="customers", path=path, user=county.users["admin"])
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 1)
    assert Customer.history.count() == history
    assert ImportBatch.objects.filter(status="succeeded").count() == 2


def test_changed_row_is_updated_with_history(county, tmp_path):
    existing = county.customers["east11"]
    path = write_csv(
        tmp_path,
        "customers.csv",
        [CUSTOMER_HEADER, customer_row(existing.account_number, name="改名客户", capacity="16")],
    )
    batch = import_file(entity="customers", path=path, user=county.users["head_east"])
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "改名客户"
    assert existing.contracted_capacity_kva == Decimal("16")
    latest = existing.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == county.users["head_east"]
    assert batch.station == county.stations["east"]


def test_an_import_does_not_change_a_customers_tariff(county, tmp_path):
    """A tariff changes only through a category change application; the file is refused whole."""
    existing = county.customers["east12"]  # GEN-1
    row = customer_row(existing.account_number, name="改名客户")
    before = db_state()
    error = rejected(
        entity="customers",
        path=write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, row]),
        user=county.users["head_east"],
    )
    assert [(e.row, e.column) for e in error.errors] == [(2, "电价代码")]
    assert "更改用电申请" in error.errors[0].reason
    assert db_state() == before


@pytest.mark.parametrize(
    "encoding,label", [("utf-8-sig", "UTF-8-BOM"), ("gbk", "GBK"), ("gb18030", "GB18030")]
)
def test_chinese_encodings_load(county, tmp_path, encoding, label):
    name = "𠀀客户" if encoding == "gb18030" else "张三"  # 𠀀 exists in GB18030 only
    path = write_csv(
        tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001", name=name)], encoding
    )
    batch = import_file(entity="customers", path=path)
    assert batch.encoding == label
    assert Customer.objects.get(account_number="9000000001").name == name


def test_english_headers_tab_separated_and_choice_keys(county, tmp_path):
    path = tmp_path / "customers.txt"
    path.write_text(
        "account_number\tarea_code\tname\tcategory\tvoltage_level\tcontracted_capacity_kva\ttariff_code\t"
        "inspection_class\tis_high_risk\tstatus\tconnected_on\n"
        "9000000009\tS01-A2\tFactory\tindustrial\t10kV\t630\tGEN-1\tA\t是\tsuspended\t2019/5/6\n",
        encoding="utf-8",
    )
    import_file(entity="customers", path=path)
    customer = Customer.objects.get(account_number="9000000009")
    assert (customer.category, customer.voltage_level, customer.inspection_class) == (
        "industrial",
        "10kV",
        "A",
    )
    assert customer.is_high_risk is True
    assert customer.status == "suspended"
    assert customer.connected_on == datetime.date(2019, 5, 6)


def test_xlsx_with_merged_title_row_above_header(county, tmp_path):
    path = write_xlsx(
        tmp_path,
        "customers.xlsx",
        [["客户档案导出 2024-06"], CUSTOMER_HEADER, customer_row("9000000001"), customer_row(9000000002)],
        merges=["A1:I1"],
    )
    batch = import_file(entity="customers", path=path)
    assert batch.rows_created == 2
    assert Customer.objects.filter(account_number__in=["9000000001", "9000000002"]).count() == 2


def test_every_entity_loads_in_order(db, tmp_path):
    files = {
        "stations": [
            ["公司编码", "公司名称", "供电所编码", "供电所名称"],
            ["C09", "新县公司", "S09", "新所"],
        ],
        "lines": [["供电所编码", "线路编号", "线路名称", "电压等级(kV)"], ["S09", "S09-L1", "一线", "10kV"]],
        "areas": [
            ["线路编号", "台区编号", "台区名称", "配变容量(kVA)"],
            ["S09-L1", "S09-A1", "一号台区", "315"],
        ],
        "tariffs": [
            ["电价代码", "电价名称", "电价类别", "电度电价(元/kWh)", "执行日期"],
            ["RES-9", "居民", "居民生活", "0.5283", "2024-01-01"],
        ],
        "staff": [["登录账号", "姓名", "岗位", "供电所编码"], ["wang", "王五", "用电检查员", "S09"]],
        "qualifications": [
            ["登录账号", "资格等级", "证书编号", "发证日期", "有效期至"],
            ["wang", "二级", "JC-9", "2024-01-01", "2030-01-01"],
        ],
        "customers": [
            CUSTOMER_HEADER,
            ["S09-A1", "9900000001", "赵六", "", "商业", "380V", "50", "RES-9", "B"],
        ],
        "metering_points": [
            ["户号", "计量点编号", "电流互感器变比", "电压互感器变比"],
            ["9900000001", "MP9", "200/5", "10000/100"],
        ],
        "meters": [
            ["计量点编号", "资产编号", "相线", "准确度等级", "电流规格", "装表日期"],
            ["MP9", "M9", "三相", "1.0", "1.5(6)A", "20220301"],
        ],
    }
    for entity in [name for name in imports.names() if name in files]:
        batch = import_file(entity=entity, path=write_csv(tmp_path, f"{entity}.csv", files[entity]))
        assert batch.rows_created == 1, entity
    assert Company.objects.get(code="C09").stations.get().code == "S09"
    assert Area.objects.get(code="S09-A1").station.code == "S09"
    user = User.objects.get(username="wang")
    assert not user.has_usable_password()
    assert user.qualifications.get().expires_on == datetime.date(2030, 1, 1)
    point = MeteringPoint.objects.get(code="MP9")
    assert (point.ct_ratio, point.ct_primary_a, point.pt_ratio, point.multiplier) == (
        Decimal("40"),
        Decimal("200"),
        Decimal("100"),
        Decimal("4000"),
    )
    meter = Meter.objects.get(asset_number="M9")
    assert (meter.rated_current_a, meter.max_current_a, meter.phase) == (
        Decimal("1.5"),
        Decimal("6"),
        "three",
    )


def test_metering_point_update_rederives_multiplier(county, tmp_path):
    point = MeteringPoint.objects.get(code="MP1100000001")
    path = write_csv(
        tmp_path,
        "mp.csv",
        [["户号", "计量点编号", "电流互感器变比"], [point.customer.account_number, point.code, "150/5"]],
    )
    batch = import_file(entity="metering_points", path=path)
    point.refresh_from_db()
    assert batch.rows_updated == 1
    assert (point.ct_ratio, point.multiplier) == (Decimal("30"), Decimal("30"))


# -- bad input: nothing written, errors point at file/row/column -------------------------------------


def test_wrong_encoding_is_a_file_error(county, tmp_path):
    before = db_state()
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001")], "utf-16")
    error = rejected(entity="customers", path=path)
    assert len(error.errors) == 1
    assert error.errors[0].file == "customers.csv"
    assert error.errors[0].row is None
    assert "UTF-16" in error.errors[0].reason
    assert db_state() == before
    assert error.batch.pk and error.batch.status == "failed"
    assert error.batch.errors[0]["reason"] == error.errors[0].reason


def test_latin1_bytes_are_refused(county, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(",".join(CUSTOMER_HEADER).encode("utf-8") + b"\r\ncaf\xe9,\xff\xfe\r\n")
    error = rejected(entity="customers", path=path)
    assert "not UTF-8, GBK or GB18030" in error.errors[0].reason


def test_missing_required_column(county, tmp_path):
    header = [h for h in CUSTOMER_HEADER if h != "户号"]
    row = customer_row("9000000001")
    del row[1]
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", [header, row]))
    assert [e.reason for e in error.errors] == ["required column 「户号」 (account_number) is missing"]
    assert not Customer.objects.filter(name="新客户").exists()


def test_unknown_parent_area(county, tmp_path):
    before = db_state()
    path = write_csv(
        tmp_path,
        "customers.csv",
        [CUSTOMER_HEADER, customer_row("9000000001"), customer_row("9000000002", area="NOPE")],
    )
    error = rejected(entity="customers", path=path)
    assert [(e.row, e.column, e.reason) for e in error.errors] == [
        (3, "台区编号", 'transformer area "NOPE" not found')
    ]
    assert db_state() == before  # the good first row was not written either


def test_duplicate_key_in_file_names_both_rows(county, tmp_path):
    path = write_csv(
        tmp_path,
        "customers.csv",
        [CUSTOMER_HEADER, customer_row("9000000001"), customer_row("9000000002"), customer_row("9000000001")],
    )
    error = rejected(entity="customers", path=path)
    assert len(error.errors) == 1
    assert (error.errors[0].row, error.errors[0].column) == (4, "户号")
    assert 'duplicate 户号 "9000000001": also in row 2' == error.errors[0].reason
    assert not Customer.objects.filter(account_number="9000000002").exists()


def test_non_numeric_capacity(county, tmp_path):
    before = db_state()
    path = write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, customer_row("9000000001", capacity="abc")])
    error = rejected(entity="customers", path=path)
    assert (error.errors[0].row, error.errors[0].column, error.errors[0].reason) == (
        2,
        "合同容量(kVA)",
        'not a number: "abc"',
    )
    assert str(error.errors[0]) == 'customers.csv row 2 「合同容量(kVA)」: not a number: "abc"'
    assert db_state() == before


@pytest.mark.parametrize("ratio", ["0", "-40", "0/5", "200/0", "-200/5"])
def test_zero_or_negative_ct_ratio(county, tmp_path, ratio):
    before = (MeteringPoint.objects.count(), MeteringPoint.history.count())
    path = write_csv(tmp_path, "mp.csv", [["户号", "计量点编号", "CT变比"], ["1100000001", "MP-NEW", ratio]])
    error = rejected(entity="metering_points", path=path)
    assert (error.errors[0].row, error.errors[0].column) == (2, "CT变比")
    assert "greater than zero" in error.errors[0].reason
    assert (MeteringPoint.objects.count(), MeteringPoint.history.count()) == before


def test_empty_file(county, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"")
    error = rejected(entity="customers", path=path)
    assert [(e.row, e.reason) for e in error.errors] == [(None, "the file is empty")]


def test_header_only_file(county, tmp_path):
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER]))
    assert [(e.row, e.reason) for e in error.errors] == [(None, "the file has a header row but no data rows")]


def test_header_only_xlsx(county, tmp_path):
    error = rejected(entity="customers", path=write_xlsx(tmp_path, "customers.xlsx", [CUSTOMER_HEADER]))
    assert error.errors[0].reason == "the file has a header row but no data rows"


def test_xlsx_with_merged_header_cells_names_the_column(county, tmp_path):
    # "合同容量(kVA)" merged over G:H; the data has an extra value in H under no header.
    header = CUSTOMER_HEADER[:7] + [None] + CUSTOMER_HEADER[7:]
    row = customer_row("9000000001")
    row = row[:7] + ["8"] + row[7:]
    path = write_xlsx(tmp_path, "customers.xlsx", [header, row], merges=["G1:H1"])
    before = db_state()
    error = rejected(entity="customers", path=path)
    assert len(error.errors) == 1
    assert error.errors[0].row == 2
    assert "column H holds data but has no header" in error.errors[0].reason
    assert db_state() == before


def test_file_larger_than_limit_is_refused_before_reading(county, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\x00" * 4096)  # would be a binary-file error if it were read
    error = rejected(entity="customers", path=path, max_bytes=1024)
    assert len(error.errors) == 1
    reason = error.errors[0].reason
    assert "4096 bytes" in reason and "1024 bytes" in reason
    assert error.batch.sha256 == ""


@override_settings(GRIDCHECK_IMPORT_MAX_BYTES=100)
def test_size_limit_defaults_to_setting(county, tmp_path):
    path = write_csv(
        tmp_path, "customers.csv", [CUSTOMER_HEADER] + [customer_row(f"90000000{i:02d}") for i in range(5)]
    )
    error = rejected(entity="customers", path=path)
    assert "limit of 100 bytes" in error.errors[0].reason


@override_settings(GRIDCHECK_IMPORT_MAX_ERRORS=3)
def test_errors_are_capped(county, tmp_path):
    rows = [CUSTOMER_HEADER] + [customer_row(f"90000000{i:02d}", capacity="x") for i in range(10)]
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", rows))
    assert len(error.errors) == 3
    assert error.truncated is True
    assert [e.row for e in error.errors] == [2, 3, 4]


def test_several_errors_in_one_row_and_bad_choice_value(county, tmp_path):
    row = customer_row("9000000001", capacity="-3")
    row[4] = "火星人"
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", [CUSTOMER_HEADER, row]))
    by_column = {e.column: e.reason for e in error.errors}
    assert by_column["合同容量(kVA)"] == 'must be greater than zero: "-3"'
    assert by_column["用电类别"].startswith('unknown value "火星人"')


def test_unknown_tariff_and_bad_date(county, tmp_path):
    header = CUSTOMER_HEADER + ["立户日期"]
    row = customer_row("9000000001") + ["2024-13-45"]
    row[7] = "NOPE-1"
    error = rejected(entity="customers", path=write_csv(tmp_path, "customers.csv", [header, row]))
    reasons = {e.column: e.reason for e in error.errors}
    assert reasons["立户日期"] == 'not a date (use YYYY-MM-DD): "2024-13-45"'


def test_meter_needs_a_current_column(county, tmp_path):
    path = write_csv(
        tmp_path,
        "m.csv",
        [["计量点编号", "资产编号", "相线", "准确度等级"], ["MP1100000001", "MX", "单相", "2.0"]],
    )
    error = rejected(entity="meters", path=path)
    assert "one of the columns" in error.errors[0].reason


def test_no_known_headers_hints_at_encoding(county, tmp_path):
    path = write_csv(tmp_path, "customers.csv", [["foo", "bar"], ["1", "2"]])
    error = rejected(entity="customers", path=path)
    assert "no known column headers" in error.errors[0].reason


# -- scoping ------------------------------------------------------------------------------------------
