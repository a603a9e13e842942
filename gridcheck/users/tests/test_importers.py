"""The staff and qualification imports (on the archive's import machinery): scoping, checks, and the
database's constraints reported as a file error. Reasons are checked in English (the msgids)."""

import csv
import io

import pytest
from django.utils import translation

from gridcheck.archive.importers import ImportRejected, import_file
from gridcheck.archive.models import ImportBatch
from gridcheck.users.models import Qualification, User


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


def rejected(**kwargs) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        import_file(**kwargs)
    return info.value


def test_qualification_expiry_before_issue(county, tmp_path):
    path = write_csv(
        tmp_path,
        "q.csv",
        [
            ["登录账号", "资格等级", "证书编号", "发证日期", "有效期至"],
            ["inspector_east", "一级", "JC-X", "2024-01-01", "2023-01-01"],
        ],
    )
    error = rejected(entity="qualifications", path=path)
    assert (error.errors[0].column, error.errors[0].reason) == (
        "有效期至",
        "expiry date must be after the issue date",
    )
    assert not Qualification.objects.filter(certificate_number="JC-X").exists()


def test_station_head_cannot_import_staff_into_other_station(county, tmp_path):
    path = write_csv(
        tmp_path, "s.csv", [["登录账号", "姓名", "岗位", "供电所编码"], ["li", "李四", "抄表员", "S02"]]
    )
    error = rejected(entity="staff", path=path, user=county.users["head_east"])
    assert (error.errors[0].column, error.errors[0].reason) == ("供电所编码", "not in your station")
    assert not User.objects.filter(username="li").exists()


def test_database_constraint_violation_becomes_a_file_error(county, tmp_path):
    # Two staff with the same employee number: only the database's unique constraint catches it.
    path = write_csv(
        tmp_path,
        "staff.csv",
        [
            ["登录账号", "姓名", "工号", "岗位", "供电所编码"],
            ["u1", "甲", "E1", "抄表员", "S01"],
            ["u2", "乙", "E1", "抄表员", "S01"],
        ],
    )
    error = rejected(entity="staff", path=path)
    assert error.errors[0].row is None
    assert error.errors[0].reason.startswith("the database refused the data")
    assert not User.objects.filter(username__in=["u1", "u2"]).exists()
    assert ImportBatch.objects.filter(status="failed").count() == 1


def test_look_alike_username_and_certificate_number_are_the_same_records(county, tmp_path):
    staff = write_csv(
        tmp_path,
        "s.csv",
        [
            ["登录账号", "姓名", "工号", "岗位", "供电所编码"],
            ["ｉｎｓｐｅｃｔｏｒ_east\u200b", "改名", "Ｅ７", "用电检查员", "S01"],
        ],
    )
    batch = import_file(entity="staff", path=staff)
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    user = User.objects.get(username="inspector_east")
    assert (user.full_name, user.employee_number) == ("改名", "E7")
    certificate = Qualification.objects.filter(user=user).first().certificate_number
    qualifications = write_csv(
        tmp_path,
        "q.csv",
        [
            ["登录账号", "资格等级", "证书编号", "发证日期", "有效期至"],
            ["\ufeffinspector_east", "三级", "\u200b" + certificate, "2020-01-01", "2031-01-01"],
        ],
    )
    count = Qualification.objects.count()
    batch = import_file(entity="qualifications", path=qualifications)
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    assert Qualification.objects.count() == count


def test_username_with_a_space_is_refused(county, tmp_path):
    path = write_csv(tmp_path, "s.csv", [["登录账号", "姓名", "岗位"], ["li si", "李四", "抄表员"]])
    error = rejected(entity="staff", path=path)
    assert [(e.row, e.column) for e in error.errors] == [(2, "登录账号")]
    assert "U+0020 SPACE" in error.errors[0].reason
    assert not User.objects.filter(full_name="李四").exists()
