"""Import of staff (人员) and their inspection qualifications (用电检查资格), on the archive's import
machinery (``gridcheck.archive.importers``); registered in ``gridcheck.core.registries.imports``.

Staff load after the stations (a member of staff names their station) and before the areas (an area
names its manager); qualifications name their holder by login.
"""

import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers import (
    CellProblem,
    Column,
    Spec,
    choice_export,
    choice_parser,
    copy_plain,
    lookup,
    parse_code,
    parse_date,
    parse_username,
)
from gridcheck.archive.importers.stations import prefetch_station_codes
from gridcheck.core.roles import MANAGE_STAFF, Role
from gridcheck.users.choices import QualificationLevel
from gridcheck.users.models import Disqualification, Qualification, User

ROLE_ALIASES = {
    Role.STATION_HEAD: ("所长", "供电所所长", "站长"),
    Role.INSPECTOR: ("用电检查员", "检查员", "用电检查"),
    Role.METER_READER: ("抄表员", "抄表催费员", "抄表"),
    Role.AUDITOR: ("稽查员", "营销稽查员", "稽查"),
    Role.AREA_MANAGER: ("台区经理", "台区客户经理"),
    Role.GOVERNMENT_LIAISON: ("政府联络员", "政府联络"),
    Role.ADMINISTRATOR: ("管理员", "系统管理员"),
}
QUALIFICATION_LEVEL_ALIASES = {
    QualificationLevel.LEVEL_1: ("一级", "1级"),
    QualificationLevel.LEVEL_2: ("二级", "2级"),
    QualificationLevel.LEVEL_3: ("三级", "3级"),
}

parse_role = choice_parser(Role, ROLE_ALIASES)
parse_qualification_level = choice_parser(QualificationLevel, QUALIFICATION_LEVEL_ALIASES)


# -- staff ------------------------------------------------------------------------------------------------


def _resolve_staff(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    if "station_code" in values:
        code = values["station_code"]
        station_id = (
            lookup(ctx, "stations", code, "station_code", _('station "%(code)s" not found')) if code else None
        )
        ctx.require_scope(station_id, "station_code")
        fields["station_id"] = station_id
    elif ctx.station_id is not None:
        fields["station_id"] = ctx.station_id
    return (values["username"],), fields


def _check_existing_staff(ctx, obj):
    if not ctx.in_scope(obj.station_id):
        raise CellProblem(_("not in your station"), "username")
    if obj.is_superuser and not (ctx.user is None or ctx.user.is_superuser):
        raise CellProblem(_("a superuser can only be changed by a superuser"), "username")


def _staff_new(fields):
    return User(password=make_password(None), **fields)


def _export_staff(obj):
    return [
        obj.username,
        obj.full_name,
        obj.employee_number,
        obj.phone,
        choice_export(parse_role, obj.role),
        obj.station.code if obj.station_id else "",
    ]


# -- qualifications ---------------------------------------------------------------------------------------


def _prefetch_qualifications(ctx, rows):
    if "staff" not in ctx.cache:
        ctx.cache["staff"] = {
            u: (pk, sid) for u, pk, sid in User.objects.values_list("username", "pk", "station_id")
        }


def _resolve_qualification(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    user_id, station_id = lookup(
        ctx, "staff", values["username"], "username", _('staff member "%(code)s" not found')
    )
    ctx.require_scope(station_id, "username")
    fields["user_id"] = user_id
    if values["expires_on"] <= values["issued_on"]:
        raise CellProblem(_("expiry date must be after the issue date"), "expires_on")
    banned = (
        Disqualification.objects.filter(user_id=user_id, ends_on__gte=values["issued_on"])
        .filter(starts_on__lte=values["expires_on"])
        .order_by("-ends_on")
        .first()
    )
    if banned is not None:
        raise CellProblem(
            _("removed from inspection duties until %(date)s: no qualification before then")
            % {"date": banned.ends_on.isoformat()},
            "issued_on",
        )
    return (values["certificate_number"],), fields


def _check_existing_qualification(ctx, obj):
    if "staff_by_pk" not in ctx.cache:
        ctx.cache["staff_by_pk"] = {pk: sid for pk, sid in ctx.cache["staff"].values()}
    if not ctx.in_scope(ctx.cache["staff_by_pk"].get(obj.user_id)):
        raise CellProblem(_("not in your station"), "certificate_number")


def _export_qualification(obj):
    return [
        obj.user.username,
        choice_export(parse_qualification_level, obj.level),
        obj.certificate_number,
        obj.issued_on,
        obj.expires_on,
    ]


# -- the specs --------------------------------------------------------------------------------------------

C = Column
STAFF = Spec(
    entity="staff",
    model=User,
    label=gettext_lazy("Staff"),
    columns=[
        C(
            "username",
            ("登录账号", "账号", "用户名"),
            True,
            parse=parse_username,
            field="username",
            example="zhangsan",
        ),
        C("full_name", ("姓名",), True, field="full_name", example="张三"),
        C(
            "employee_number",
            ("工号", "员工编号", "人员编号"),
            parse=parse_code,
            field="employee_number",
            example="10086",
        ),
        C("phone", ("联系电话", "手机号码", "电话"), field="phone", example="13800000000"),
        C("role", ("岗位", "角色"), True, parse=parse_role, field="role", example="用电检查员"),
        C(
            "station_code",
            ("供电所编码", "所属供电所编码", "供电所编号"),
            parse=parse_code,
            example="S01",
        ),
    ],
    key_fields=("username",),
    resolve=_resolve_staff,
    prefetch=prefetch_station_codes,
    check_existing=_check_existing_staff,
    new_object=_staff_new,
    export_row=_export_staff,
    export_related=("station",),
    needs_capability=MANAGE_STAFF,
    station_lookup="station__code",
)
QUALIFICATIONS = Spec(
    entity="qualifications",
    model=Qualification,
    label=gettext_lazy("Qualifications"),
    columns=[
        C("username", ("登录账号", "账号", "用户名"), True, parse=parse_username, example="zhangsan"),
        C(
            "level",
            ("资格等级", "等级", "检查资格等级"),
            True,
            parse=parse_qualification_level,
            field="level",
            example="二级",
        ),
        C(
            "certificate_number",
            ("证书编号", "证号", "检查证编号"),
            True,
            parse=parse_code,
            field="certificate_number",
            example="JC-2024-0001",
        ),
        C(
            "issued_on",
            ("发证日期", "取证日期"),
            True,
            parse=parse_date,
            field="issued_on",
            example=datetime.date(2024, 1, 1),
        ),
        C(
            "expires_on",
            ("有效期至", "到期日期", "有效截止日期"),
            True,
            parse=parse_date,
            field="expires_on",
            example=datetime.date(2029, 12, 31),
        ),
    ],
    key_fields=("certificate_number",),
    resolve=_resolve_qualification,
    prefetch=_prefetch_qualifications,
    check_existing=_check_existing_qualification,
    export_row=_export_qualification,
    export_related=("user",),
    needs_capability=MANAGE_STAFF,
    station_lookup="user__station__code",
)
del C
