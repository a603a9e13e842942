"""Import of metering points (计量点): each belongs to a customer (by account number); the multiplier is
not imported but derived from the CT and PT ratios (``200/5`` also gives the CT primary current)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import fit_decimal, parse_code, parse_positive_decimal, parse_ratio
from gridcheck.archive.importers.spec import Column, Spec, copy_plain, key_in, lookup
from gridcheck.archive.models import Customer, MeteringPoint

#: Looked up for every row, translated only when a row needs it.
CUSTOMER_NOT_FOUND = gettext_lazy('customer "%(code)s" not found')


def _prefetch_metering_points(ctx, rows):
    accounts = {v["account_number"] for v in rows}
    ctx.cache["customers"] = {
        a: (pk, sid)
        for a, pk, sid in Customer.objects.filter(key_in("account_number", accounts)).values_list(
            "account_number", "pk", "station_id"
        )
    }


def _resolve_metering_point(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    customer_id, station_id = lookup(
        ctx, "customers", values["account_number"], "account_number", CUSTOMER_NOT_FOUND
    )
    ctx.require_scope(station_id, "account_number")
    fields["customer_id"] = customer_id
    primary = values.get("ct_primary_a")
    if "ct_ratio" in values:
        ratio, ratio_primary = values["ct_ratio"] or (Decimal(1), None)
        fields["ct_ratio"] = fit_decimal(MeteringPoint, "ct_ratio", ratio)
        if ratio_primary is not None:
            if primary is not None and primary != ratio_primary:
                raise CellProblem(
                    _("CT primary current %(a)s A does not match the ratio's %(b)s A")
                    % {"a": primary, "b": ratio_primary},
                    "ct_primary_a",
                )
            fields["ct_primary_a"] = fit_decimal(MeteringPoint, "ct_primary_a", ratio_primary)
    if "pt_ratio" in values:
        fields["pt_ratio"] = fit_decimal(MeteringPoint, "pt_ratio", (values["pt_ratio"] or (Decimal(1),))[0])
    if fields.get("ct_ratio", 1) <= 0 or fields.get("pt_ratio", 1) <= 0:
        raise CellProblem(_("ratio must be greater than zero"), "ct_ratio")
    return (values["code"],), fields


def _metering_point_new(fields):
    obj = MeteringPoint(**fields)
    obj.multiplier = MeteringPoint.derive_multiplier(obj.ct_ratio, obj.pt_ratio)
    return obj


def _metering_point_new_values(row):
    row["multiplier"] = MeteringPoint.derive_multiplier(row["ct_ratio"], row["pt_ratio"])


def _metering_point_after_apply(obj):
    multiplier = MeteringPoint.derive_multiplier(obj.ct_ratio, obj.pt_ratio)
    if multiplier != obj.multiplier:
        obj.multiplier = multiplier
        return ["multiplier"]
    return []


def _check_existing_mp(ctx, obj):
    if ctx.station_id is not None and obj.customer.station_id != ctx.station_id:
        raise CellProblem(_("not in your station"), "code")


def _fmt_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def _export_metering_point(obj):
    if obj.ct_primary_a:
        secondary = (obj.ct_primary_a / obj.ct_ratio).quantize(Decimal("0.01"))
        ct = f"{_fmt_number(obj.ct_primary_a)}/{_fmt_number(secondary)}"
    else:
        ct = _fmt_number(obj.ct_ratio)
    return [obj.customer.account_number, obj.code, obj.name, ct, obj.ct_primary_a, _fmt_number(obj.pt_ratio)]


C = Column
SPEC = Spec(
    entity="metering_points",
    model=MeteringPoint,
    label=gettext_lazy("Metering points"),
    columns=[
        C(
            "account_number",
            ("户号", "用户编号", "客户编号"),
            True,
            parse=parse_code,
            example="1100000001",
        ),
        C(
            "code",
            ("计量点编号", "计量点编码"),
            True,
            parse=parse_code,
            field="code",
            example="MP1100000001",
        ),
        C("name", ("计量点名称",), field="name", example="总表"),
        C("ct_ratio", ("电流互感器变比", "CT变比", "电流变比"), parse=parse_ratio, example="200/5"),
        C(
            "ct_primary_a",
            ("CT一次电流(A)", "一次额定电流(A)", "CT一次电流"),
            parse=parse_positive_decimal,
            field="ct_primary_a",
            example=Decimal("200"),
        ),
        C("pt_ratio", ("电压互感器变比", "PT变比", "电压变比"), parse=parse_ratio, example="1"),
    ],
    key_fields=("code",),
    resolve=_resolve_metering_point,
    prefetch=_prefetch_metering_points,
    check_existing=_check_existing_mp,
    after_apply=_metering_point_after_apply,
    new_object=_metering_point_new,
    new_values=_metering_point_new_values,
    existing_related=("customer",),
    export_row=_export_metering_point,
    export_related=("customer",),
    station_lookup="customer__station__code",
    bulk_copy=True,
)
del C
