"""The daily dispatch list (日派工单) and the weekly report (周报)."""

import datetime

from django.utils import timezone
from django.views.generic import TemplateView

from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.inspections import selectors


def _date_param(value, default):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


class DispatchListView(CapabilityRequiredMixin, TemplateView):
    """The daily dispatch list (日派工单)."""

    template_name = "inspections/dispatch.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        day = _date_param(self.request.GET.get("date"), timezone.localdate())
        ctx.update(day=day, orders=selectors.dispatch_list(self.request.user, day))
        return ctx


class WeeklyReportView(CapabilityRequiredMixin, TemplateView):
    """The weekly report (周报) per station."""

    template_name = "inspections/weekly.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        start = _date_param(self.request.GET.get("week"), today - datetime.timedelta(days=today.weekday()))
        start = start - datetime.timedelta(days=start.weekday())
        ctx.update(
            report=selectors.weekly_report(self.request.user, start),
            previous=start - datetime.timedelta(days=7),
            next=start + datetime.timedelta(days=7),
        )
        return ctx
