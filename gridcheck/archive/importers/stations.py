"""Import of stations (供电所), with their companies: a company is created from its code and name, or
renamed, as the rows name it."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import parse_code
from gridcheck.archive.importers.spec import CHANGE_REASON, Column, Spec, copy_plain
from gridcheck.archive.models import Company, Station


def _prefetch_stations(ctx, rows):
    """Companies are few: create or rename them here (the file's transaction undoes it on errors)."""
    if "companies" not in ctx.cache:
        ctx.cache["companies"] = {c.code: c for c in Company.objects.all()}
    companies = ctx.cache["companies"]
    new, changed = {}, {}
    for values in rows:
        code, name = values["company_code"], values.get("company_name") or ""
        company = companies.get(code)
        if company is None:
            if name and code not in new:
                new[code] = Company(code=code, name=name)
        elif name and company.name != name:
            company.name = name
            changed[code] = company
    reason = CHANGE_REASON.format(file_name=ctx.file_name)
    if new:
        bulk_create_with_history(
            list(new.values()), Company, default_user=ctx.user, default_change_reason=reason
        )
        for company in Company.objects.filter(code__in=new):
            companies[company.code] = company
    if changed:
        now = timezone.now()
        for company in changed.values():
            company.updated_at = now
        bulk_update_with_history(
            list(changed.values()),
            Company,
            ["name", "updated_at"],
            default_user=ctx.user,
            default_change_reason=reason,
        )


def _resolve_station(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    if ctx.station_id is not None:
        if "own_station_code" not in ctx.cache:
            ctx.cache["own_station_code"] = Station.objects.get(pk=ctx.station_id).code
        if values["code"] != ctx.cache["own_station_code"]:
            raise CellProblem(_("not in your station"), "code")
    company = ctx.cache["companies"].get(values["company_code"])
    if company is None:
        raise CellProblem(
            _('company "%(code)s" not found; give its name to create it') % {"code": values["company_code"]},
            "company_name",
        )
    fields["company_id"] = company.pk
    return (values["code"],), fields


def _export_station(obj):
    return [obj.company.code, obj.company.name, obj.code, obj.name, obj.address, obj.phone]


def prefetch_station_codes(ctx, rows=None):
    """Station code -> id, for the entities whose rows name a station (lines, staff)."""
    if "stations" not in ctx.cache:
        ctx.cache["stations"] = dict(Station.objects.values_list("code", "pk"))


C = Column
SPEC = Spec(
    entity="stations",
    model=Station,
    label=gettext_lazy("Stations"),
    columns=[
        C("company_code", ("公司编码", "单位编码", "供电单位编码"), True, parse=parse_code, example="C01"),
        C("company_name", ("公司名称", "单位名称", "供电单位"), example="示范县供电公司"),
        C(
            "code",
            ("供电所编码", "供电所编号", "所编码"),
            True,
            parse=parse_code,
            field="code",
            example="S01",
        ),
        C("name", ("供电所名称", "供电所", "所名称"), True, field="name", example="东城供电所"),
        C(
            "address",
            ("地址", "供电所地址", "办公地址"),
            field="address",
            example="示范县东城镇人民路1号",
        ),
        C("phone", ("联系电话", "电话"), field="phone", example="0771-1234567"),
    ],
    key_fields=("code",),
    resolve=_resolve_station,
    prefetch=_prefetch_stations,
    export_row=_export_station,
    export_related=("company",),
    station_lookup="code",
)
del C
