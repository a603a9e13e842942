"""Placeholder: replaced by the real views."""

from django.views.generic import View


class ImportView(View):
    pass


class ImportTemplateView(View):
    pass


class ImportBatchListView(View):
    pass


class ImportBatchDetailView(View):
    pass
