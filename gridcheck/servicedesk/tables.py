"""Tables of the service desk's list pages (django-tables2): the publicity campaigns."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import BaseTable
from gridcheck.servicedesk.models import PublicityCampaign


class PublicityCampaignTable(BaseTable):
    number = tables.Column(verbose_name=_("number"), accessor="pk", linkify=True)
    held_at = tables.DateTimeColumn(format="Y-m-d H:i")
    station = tables.Column()
    kind = tables.Column()
    place = tables.Column()
    materials = tables.Column(verbose_name=_("materials used"), accessor="materials_text", orderable=False)
    people_reached = tables.Column()
    leaflets_handed_out = tables.Column()
    customers_visited = tables.Column()
    organiser = tables.Column()
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = PublicityCampaign
        fields = (
            "number",
            "held_at",
            "station",
            "kind",
            "place",
            "materials",
            "people_reached",
            "leaflets_handed_out",
            "customers_visited",
            "organiser",
            "status",
        )
        empty_text = _("No campaigns.")

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number
