"""Placeholder: replaced by the real views."""

from django.views.generic import View


class StationListView(View):
    pass


class StationDetailView(View):
    pass


class LineListView(View):
    pass


class LineDetailView(View):
    pass


class AreaListView(View):
    pass


class AreaDetailView(View):
    pass


class CustomerListView(View):
    pass


class CustomerDetailView(View):
    pass


class CustomerEditView(View):
    pass


class MeteringPointListView(View):
    pass


class MeteringPointDetailView(View):
    pass


class MeterListView(View):
    pass


class MeterDetailView(View):
    pass


class TariffListView(View):
    pass


class SearchView(View):
    pass
