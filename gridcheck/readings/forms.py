"""Forms of the meter-data pages."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.readings.choices import ImportKind
from gridcheck.readings.services import mapping_parse

ALLOWED_SUFFIXES = (".csv", ".gz", ".parquet", ".pq")


class MeterDataImportForm(forms.Form):
    """Which kind of meter data, which file, and optionally a column mapping."""

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("File (CSV, CSV.GZ or Parquet)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ",".join(ALLOWED_SUFFIXES)}
        ),
    )
    mapping = forms.CharField(
        label=_("Column mapping (JSON, optional)"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "class": "form-control font-monospace",
                "rows": 3,
                "placeholder": '{"表号": "meter_id", "日期": "reading_date", "正向有功总": "register_total_kwh"}',
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Only .csv, .csv.gz and .parquet files can be imported."))
        return upload

    def clean_mapping(self):
        try:
            return mapping_parse(self.cleaned_data.get("mapping"))
        except (ValueError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(_("Not a valid mapping: %(error)s") % {"error": exc}) from None
