"""The XLSX export of the temporary-supply ledger (entity ``temporary_supplies``)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


@dataclass(frozen=True)
class Column:
    header: str
    example: object = ""
    required: bool = False


class LedgerExport:
    """The ledger's columns, in the order of the list page."""

    entity = "temporary_supplies"
    export_related = ("station", "area", "customer", "contract")

    @property
    def export_columns(self) -> list[Column]:
        return [
            Column(str(label))
            for label in (
                _("number"),
                _("station"),
                _("transformer area"),
                _("account number"),
                _("applicant"),
                _("applicant's phone"),
                _("written application dated"),
                _("purpose"),
                _("address"),
                _("capacity [kVA]"),
                _("metering"),
                _("start date"),
                _("agreed end"),
                _("contract"),
                _("prepayment required [yuan]"),
                _("status"),
                _("connected on"),
                _("ended on"),
                pgettext("temporary supply", "closed on"),
                _("charge [yuan]"),
                _("refund [yuan]"),
            )
        ]

    def export_row(self, obj) -> list:
        return [
            obj.number,
            obj.station.name,
            obj.area.code,
            obj.customer.account_number,
            obj.applicant_name,
            obj.applicant_phone,
            obj.applied_on,
            obj.purpose,
            obj.address,
            obj.capacity_kva,
            obj.get_metering_mode_display(),
            obj.start_on,
            obj.end_on,
            obj.contract.number if obj.contract else "",
            obj.prepayment_yuan,
            obj.get_status_display(),
            obj.connected_on,
            obj.ended_on,
            obj.closed_on,
            obj.charge_yuan,
            obj.refund_yuan,
        ]


SPEC = LedgerExport()
