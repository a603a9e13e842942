"""The pages of background runs (``gridcheck.core.runs``): start, progress page, progress JSON.

An app's run pages are these views with its model: ``RunDetailView`` renders ``runs/run_detail.html``
(the app's template extends it and fills the blocks that differ), ``RunProgressView`` answers the page's
polling, ``RunStartView`` starts a run from a month form and goes to its page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from gridcheck.core.generic import CapabilityRequiredMixin, ScopedDetailView
from gridcheck.core.periods import last_complete_month, month_parse
from gridcheck.core.roles import RUN_COUNTY
from gridcheck.core.runs import run_progress_data, runs_active
from gridcheck.core.scoping import scope_queryset


class RunMonthForm(forms.Form):
    """The month of a run: one that has ended."""

    month = forms.CharField(
        label=gettext_lazy("Month"),
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )

    def clean_month(self):
        try:
            month = month_parse(self.cleaned_data["month"])
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None
        if month > last_complete_month():
            raise forms.ValidationError(_("Only months that have ended can be analysed."))
        return month


class RunDetailView(ScopedDetailView):
    """A run's page: progress bar (polls the progress view), then its details, timings and counts."""

    context_object_name = "run"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        labels = self.model.STEP_LABELS
        ctx["progress"] = run_progress_data(self.object)
        ctx["step_labels"] = [(k, v) for k, v in labels.items() if k not in ("queued", "done")]
        return ctx


class RunProgressView(CapabilityRequiredMixin, View):
    """The progress of a run as JSON, polled every second by the run page."""

    model = None

    def get(self, request, pk):
        run = scope_queryset(self.model.objects.all(), request.user).filter(pk=pk).first()
        if run is None:
            raise Http404
        return JsonResponse(run_progress_data(run))


class RunStartView(CapabilityRequiredMixin, View):
    """POST: create a run for a month and hand it to the background worker; then show the run's page.

    Subclasses set ``model``, ``form_class``, ``fallback_url`` (where a refused form goes), the
    ``started_message`` and ``start(form, user) -> run``.
    """

    # A run covers the whole county: only county-level station heads and administrators start one.
    required_capability = RUN_COUNTY
    model = None
    form_class = RunMonthForm
    fallback_url = "home"
    started_message = gettext_lazy("Run of %(month)s started.")

    def start(self, form, user):
        raise NotImplementedError

    def post(self, request):
        form = self.form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self.fallback_url)
        try:
            run = self.start(form, request.user)
        except ValidationError:
            messages.warning(request, str(self.model.ALREADY_ACTIVE))
            running = runs_active(self.model).filter(month=form.cleaned_data["month"]).first()
            return redirect(running) if running else redirect(self.fallback_url)
        messages.success(request, self.started_message % {"month": f"{run.month:%Y-%m}"})
        return redirect(run)
