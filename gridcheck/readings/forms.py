"""Forms of the meter-data pages: the upload (kind, source, file) and the column mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.readings.choices import ImportKind
from gridcheck.readings.headers import column_label, columns_of, missing_columns

ALLOWED_SUFFIXES = (".csv", ".gz", ".parquet", ".pq")
#: The source a file comes from unless the clerk names another: the collection system.
DEFAULT_SOURCE = _("Electricity information collection system")


class MeterDataImportForm(forms.Form):
    """Which kind of meter data, where it comes from (its saved column mapping), which file."""

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    source = forms.CharField(
        label=pgettext_lazy("data", "Source"),
        max_length=100,
        required=False,
        help_text=_(
            "Where the file comes from; the columns chosen for it are remembered for its next files."
        ),
        widget=forms.TextInput(attrs={"class": "form-control", "list": "meter-data-sources"}),
    )
    file = forms.FileField(
        label=_("File (CSV, CSV.GZ or Parquet)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ",".join(ALLOWED_SUFFIXES)}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].initial = str(DEFAULT_SOURCE)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Only .csv, .csv.gz and .parquet files can be imported."))
        return upload

    def clean_source(self):
        return " ".join(self.cleaned_data.get("source", "").split())


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: which field it holds, or nothing (ignored)."""

    save = forms.BooleanField(
        label=_("Remember these columns for this source"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, kind: str, headers: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.headers = kind, headers
        choices = [("", _("(not imported)"))] + [(c, column_label(c)) for c in columns_of(kind)]
        for i, header in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def column_fields(self):
        return [self[f"col_{i}"] for i in range(len(self.headers))]

    def clean(self):
        data = super().clean()
        mapping = {h: data.get(f"col_{i}") for i, h in enumerate(self.headers) if data.get(f"col_{i}")}
        seen: dict[str, str] = {}
        for header, column in mapping.items():
            if column in seen:
                raise forms.ValidationError(
                    _("The columns %(a)s and %(b)s are both chosen as %(field)s: choose one.")
                    % {"a": seen[column], "b": header, "field": column_label(column)}
                )
            seen[column] = header
        missing = missing_columns(self.kind, mapping)
        if missing:
            raise forms.ValidationError(
                _("Choose the column that holds: %(fields)s.")
                % {"fields": "、".join(column_label(c) for c in missing)}
            )
        data["mapping"] = mapping
        return data
