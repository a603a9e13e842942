"""Archive import pages: upload a CSV/XLSX file, download templates, and the history of imports.

The work is done by ``gridcheck.archive.importers.import_file`` (one transaction per file); these views
only take the upload, show the outcome and list the batches the user may see. The entities offered are
those registered in ``gridcheck.core.registries.imports``, in load order.
"""

import pathlib
import shutil
import tempfile

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView, View

from gridcheck.archive import tables
from gridcheck.archive.filtersets import SearchFilterSet
from gridcheck.archive.importers import ImportRejected, import_file
from gridcheck.archive.models import ImportBatch
from gridcheck.core.exports import template_response
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView
from gridcheck.core.registries import imports
from gridcheck.core.roles import IMPORT, VIEW, has_capability
from gridcheck.core.scoping import scope_queryset

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")


class ImportForm(forms.Form):
    """Which entity and which file."""

    entity = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(key, imports[key].label) for key in entity_choices(user)]
        self.fields["entity"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
        return upload


def entity_choices(user) -> list[str]:
    """The entities ``user`` may import, in load order."""
    keys = []
    for key, spec in imports.items():
        if not has_capability(user, spec.needs_capability):
            continue
        if spec.county_only and not (user.is_superuser or user.station_id is None):
            continue
        keys.append(key)
    return keys


def entity_help(keys: list[str]) -> list[dict]:
    """For the help box: every entity's headers (Chinese first, then accepted aliases and English)."""
    return [
        {
            "key": key,
            "label": imports[key].label,
            "columns": [
                {
                    "header": column.header,
                    "aliases": column.aliases[1:],
                    "name": column.name,
                    "required": column.required,
                }
                for column in imports[key].columns
            ],
        }
        for key in keys
    ]


class ImportView(CapabilityRequiredMixin, TemplateView):
    """Upload form; on error a table of every problem (nothing is written), on success a summary."""

    required_capability = IMPORT
    template_name = "archive/import.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        keys = entity_choices(self.request.user)
        ctx.setdefault(
            "form", ImportForm(user=self.request.user, initial={"entity": self.request.GET.get("entity")})
        )
        ctx["entities"] = entity_help(keys)
        ctx["max_bytes"] = settings.GRIDCHECK_IMPORT_MAX_BYTES
        ctx["max_size"] = filesizeformat(settings.GRIDCHECK_IMPORT_MAX_BYTES)
        ctx["recent"] = scope_queryset(ImportBatch.objects.select_related("started_by"), self.request.user)[
            :5
        ]
        return ctx

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        entity = form.cleaned_data["entity"]
        try:
            batch = _import_upload(entity, upload, request.user)
        except ImportRejected as rejection:
            ctx = self.get_context_data(
                form=form,
                rejected=rejection,
                errors=rejection.errors,
                error_count=len(rejection.errors),
                batch=rejection.batch,
            )
            return self.render_to_response(ctx, status=422)
        messages.success(
            request,
            _("%(file)s imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "file": batch.file_name,
                "created": batch.rows_created,
                "updated": batch.rows_updated,
                "unchanged": batch.rows_unchanged,
            },
        )
        return redirect("archive:importbatch_detail", pk=batch.pk)


def _import_upload(entity: str, upload, user) -> ImportBatch:
    """Import an uploaded file: straight from Django's temporary file when there is one."""
    if hasattr(upload, "temporary_file_path"):
        return import_file(
            entity=entity, path=pathlib.Path(upload.temporary_file_path()), user=user, file_name=upload.name
        )
    with tempfile.TemporaryDirectory(prefix="gridcheck-import-") as folder:
        # Keep the file's extension: it tells the reader a workbook from a CSV file.
        path = pathlib.Path(folder) / f"upload{pathlib.Path(upload.name).suffix.lower()}"
        with path.open("wb") as handle:
            upload.seek(0)
            shutil.copyfileobj(upload, handle)
        return import_file(entity=entity, path=path, user=user, file_name=upload.name)


class ImportTemplateView(CapabilityRequiredMixin, View):
    """Download the XLSX template of one entity: header row and an example row."""

    required_capability = VIEW

    def get(self, request, entity: str):
        if entity not in imports:
            raise Http404
        return template_response(entity)


def _entity_choices():
    return [(key, spec.label) for key, spec in imports.items()]


class ImportBatchPageFilterSet(SearchFilterSet):
    """The import history's filters: what was imported, how it went, and the file name (``q``)."""

    search_fields = ("file_name__icontains",)
    entity = django_filters.ChoiceFilter(choices=_entity_choices, label=gettext_lazy("What"))
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices, label=gettext_lazy("Status"))

    class Meta:
        model = ImportBatch
        fields = ["entity", "status"]


class ImportBatchListView(ScopedListView):
    """The imports the user may see (their station's, or all for county level), newest first."""

    required_capability = VIEW
    model = ImportBatch
    template_name = "archive/importbatch_list.html"
    filterset_class = ImportBatchPageFilterSet
    table_class = tables.ImportBatchTable
    title = gettext_lazy("Import history")
    search_placeholder = gettext_lazy("Search by file name")

    def get_base_queryset(self):
        return ImportBatch.objects.select_related("started_by", "station").order_by("-created_at", "-pk")


class ImportBatchDetailView(CapabilityRequiredMixin, DetailView):
    """One import: file, who, counts, and every error of a refused file."""

    required_capability = VIEW
    template_name = "archive/importbatch_detail.html"
    context_object_name = "batch"

    def get_queryset(self):
        return scope_queryset(ImportBatch.objects.select_related("started_by", "station"), self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entity = self.object.entity
        ctx["entity_label"] = imports[entity].label if entity in imports else entity
        ctx["max_errors"] = settings.GRIDCHECK_IMPORT_MAX_ERRORS
        return ctx
