"""Import (and export) of the contract register (entity ``contracts``), keyed by contract number, with
the archive's import machinery: one transaction, row errors naming row and column, idempotent.

A row is refused when its end is before its start, its term is longer than the normal term
(rule ``contracts.term_years``) without an approver (a station head other than the importer), or it is a
non-standard contract past the draft stage with a mandatory clause missing. The register's status
changes written by an import are recorded in the contract's history (not as events, which record the
work done in Gridcheck).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import (
    choice_export,
    choice_parser,
    parse_bool,
    parse_code,
    parse_date,
    parse_positive_decimal,
)
from gridcheck.archive.importers.spec import Column, Spec, check_existing_station_scope, copy_plain
from gridcheck.archive.models import Customer
from gridcheck.contracts.choices import MANDATORY_CLAUSES, ContractKind, ContractStatus
from gridcheck.contracts.models import Contract
from gridcheck.core.roles import APPROVE_STATION, MANAGE_CONTRACTS, has_capability

parse_kind = choice_parser(
    ContractKind,
    {
        ContractKind.NON_STANDARD: ("非标准合同", "非标准", "高压供用电合同", "特殊供用电合同"),
        ContractKind.STANDARD_TEMPORARY: ("临时供用电合同", "临时用电", "临时"),
        ContractKind.RESIDENTIAL_NOTICE: ("居民用电须知", "居民", "居民供用电合同"),
    },
)
parse_status = choice_parser(
    ContractStatus,
    {
        ContractStatus.DRAFT: ("草稿", "拟订"),
        ContractStatus.SIGNED: ("已签订", "已签"),
        ContractStatus.IN_FORCE: ("履行中", "生效", "有效"),
        ContractStatus.EXTENDED: ("已续签", "延期", "续签"),
        ContractStatus.EXPIRED: ("已到期", "到期", "过期"),
        ContractStatus.TERMINATED: ("已终止", "终止", "解除"),
        ContractStatus.SUPERSEDED: ("已变更", "被替代", "已替代"),
    },
)

CLAUSE_HEADERS = {
    "clause_supply": ("供电方式、质量和时间", "供电方式"),
    "clause_capacity_use": ("用电容量、地址和性质", "用电容量和地址"),
    "clause_metering_tariff": ("计量方式和电价、电费结算方式", "计量与电价"),
    "clause_boundary": ("供用电设施维护责任分界点", "产权分界点"),
    "clause_term": ("合同有效期限条款", "合同期限条款"),
    "clause_liability": ("违约责任", "违约责任条款"),
    "clause_other": ("双方约定的其他条款", "其他条款"),
}


TEXT_FIELDS = (*CLAUSE_HEADERS, "supplier_signatory_name", "customer_signatory", "tariff_code")


def _prefetch(ctx, rows):
    accounts = {values["account_number"] for values in rows if values.get("account_number")}
    known = ctx.cache.setdefault("customers", {})
    missing = accounts - set(known)
    for account, pk, station_id in Customer.objects.filter(account_number__in=missing).values_list(
        "account_number", "pk", "station_id"
    ):
        known[account] = (pk, station_id)
    if "approvers" not in ctx.cache:
        ctx.cache["approvers"] = {}


def _approver(ctx, username: str):
    from gridcheck.users.models import User

    cache = ctx.cache["approvers"]
    if username not in cache:
        cache[username] = User.objects.filter(username=username, is_active=True).first()
    user = cache[username]
    if user is None or not has_capability(user, APPROVE_STATION):
        raise CellProblem(
            _('"%(name)s" is not a station head who may approve a longer term') % {"name": username},
            "term_approved_by",
        )
    if ctx.user is not None and user.pk == ctx.user.pk:
        raise CellProblem(
            _("whoever imports (prepares) the contracts never approves their term"), "term_approved_by"
        )
    if ctx.user is not None and ctx.user.station_id and user.station_id not in (None, ctx.user.station_id):
        raise CellProblem(_("the approver is not of your station"), "term_approved_by")
    return user


def _resolve(ctx, values, row_no):
    from gridcheck.contracts.services import term_exceeds_limit, term_limit

    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    for name in TEXT_FIELDS:  # an empty cell of a text column is empty text, never NULL
        if name in fields and fields[name] is None:
            fields[name] = ""
    account = values["account_number"]
    found = ctx.cache["customers"].get(account)
    if found is None:
        raise CellProblem(_('customer "%(code)s" not found') % {"code": account}, "account_number")
    customer_id, station_id = found
    ctx.require_scope(station_id, "account_number")
    fields["customer_id"], fields["station_id"] = customer_id, station_id
    valid_from, valid_to = values["valid_from"], values["valid_to"]
    if valid_to < valid_from:
        raise CellProblem(
            _("the contract ends (%(to)s) before it starts (%(from)s)")
            % {"to": valid_to.isoformat(), "from": valid_from.isoformat()},
            "valid_to",
        )
    approver_name = values.get("term_approved_by") or ""
    if term_exceeds_limit(valid_from, valid_to):
        if not approver_name:
            raise CellProblem(
                _("the term is longer than the normal term (to %(limit)s): name the approving station head")
                % {"limit": term_limit(valid_from).isoformat()},
                "valid_to",
            )
        approver = _approver(ctx, approver_name)
        fields["term_approved_by_id"] = approver.pk
        fields["term_approved_on"] = values.get("signed_on") or valid_from
    status = values.get("status") or ContractStatus.DRAFT
    if values.get("status"):
        fields["status"] = status
    if status != ContractStatus.DRAFT and not values.get("signed_on"):
        raise CellProblem(_("a signed contract needs its signing date"), "signed_on")
    if values["kind"] == ContractKind.NON_STANDARD and status != ContractStatus.DRAFT:
        for name, label in MANDATORY_CLAUSES:
            if not (values.get(name) or "").strip():
                raise CellProblem(
                    _("the non-standard contract lacks the mandatory clause “%(clause)s”")
                    % {"clause": label},
                    name,
                )
        if values.get("capacity_kva") is None:
            raise CellProblem(_("the non-standard contract lacks its contracted capacity"), "capacity_kva")
        if not values.get("tariff_code"):
            raise CellProblem(_("the non-standard contract lacks its tariff code"), "tariff_code")
        if not values.get("theft_liability_acknowledged") or not values.get(
            "theft_liability_acknowledged_on"
        ):
            raise CellProblem(
                _("the customer's acknowledgement of legal liability for theft (and its date) is missing"),
                "theft_liability_acknowledged",
            )
    if ctx.user is not None and getattr(ctx.user, "pk", None):
        fields["prepared_by_id"] = ctx.user.pk
    return (values["number"],), fields


def _check_change(obj, fields):
    fields.pop("prepared_by_id", None)  # who prepared it stays
    if fields.get("term_approved_by_id") == obj.term_approved_by_id:
        fields.pop("term_approved_on", None)  # the same approval: its date stays
    if fields.get("customer_id") not in (None, obj.customer_id):
        raise CellProblem(
            _("contract %(number)s belongs to another customer") % {"number": obj.number}, "account_number"
        )


def _export(obj):
    return [
        obj.number,
        obj.customer.account_number,
        choice_export(parse_kind, obj.kind),
        choice_export(parse_status, obj.status),
        obj.signed_on,
        obj.valid_from,
        obj.valid_to,
        obj.supplier_signatory_name,
        obj.customer_signatory,
        obj.capacity_kva,
        obj.tariff_code,
        *(getattr(obj, name) for name, _label in MANDATORY_CLAUSES),
        "是" if obj.theft_liability_acknowledged else "否",
        obj.theft_liability_acknowledged_on,
        obj.term_approved_by.username if obj.term_approved_by_id else "",
    ]


C = Column
SPEC = Spec(
    entity="contracts",
    model=Contract,
    label=gettext_lazy("Supply contracts"),
    columns=[
        C(
            "number",
            ("合同编号", "合同号"),
            True,
            parse=parse_code,
            field="number",
            example="HT-S01-2026-00001",
        ),
        C("account_number", ("户号", "用户编号", "客户编号"), True, parse=parse_code, example="1100000002"),
        C("kind", ("合同类型", "合同种类"), True, parse=parse_kind, field="kind", example="非标准合同"),
        C("status", ("合同状态", "状态"), parse=parse_status, example="履行中"),
        C(
            "signed_on",
            ("签订日期", "签约日期"),
            parse=parse_date,
            field="signed_on",
            example=datetime.date(2025, 1, 1),
        ),
        C(
            "valid_from",
            ("生效日期", "起始日期"),
            True,
            parse=parse_date,
            field="valid_from",
            example=datetime.date(2025, 1, 1),
        ),
        C(
            "valid_to",
            ("到期日期", "终止日期", "截止日期"),
            True,
            parse=parse_date,
            field="valid_to",
            example=datetime.date(2027, 12, 31),
        ),
        C(
            "supplier_signatory_name",
            ("供电方签约人", "供电方代表"),
            field="supplier_signatory_name",
            example="王所长",
        ),
        C("customer_signatory", ("用电方签约人", "用电方代表"), field="customer_signatory", example="张三"),
        C(
            "capacity_kva",
            ("合同容量(kVA)", "合同容量"),
            parse=parse_positive_decimal,
            field="capacity_kva",
            example=Decimal("50"),
        ),
        C(
            "tariff_code",
            ("电价代码", "执行电价代码"),
            parse=parse_code,
            field="tariff_code",
            example="GEN-1",
        ),
        *(
            C(name, CLAUSE_HEADERS[name], field=name, example="（条款内容）")
            for name, _label in MANDATORY_CLAUSES
        ),
        C(
            "theft_liability_acknowledged",
            ("窃电法律责任告知确认", "窃电责任确认"),
            parse=parse_bool,
            field="theft_liability_acknowledged",
            example="是",
        ),
        C(
            "theft_liability_acknowledged_on",
            ("告知确认日期", "确认日期"),
            parse=parse_date,
            field="theft_liability_acknowledged_on",
            example=datetime.date(2025, 1, 1),
        ),
        C("term_approved_by", ("超期批准人", "期限批准人"), example=""),
    ],
    key_fields=("number",),
    resolve=_resolve,
    prefetch=_prefetch,
    check_existing=check_existing_station_scope,
    check_change=_check_change,
    export_row=_export,
    export_related=("customer", "supplier_signatory", "term_approved_by"),
    needs_capability=MANAGE_CONTRACTS,
    station_lookup="station__code",
)
del C
