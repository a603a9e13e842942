"""The station's reports, declared once: code, Chinese title, period kind and the rule row of its due day.

A report is generated for one station and one period:

- ``month``: a calendar month; due on day ``due_day`` of the following month;
- ``week``: Monday to Sunday; due ``due_day`` days after the Sunday (1 = the next Monday);
- ``day``: one day; due ``due_day`` days after it (0 = the day itself).

The due day is a row of the rule table (``reports.<code>.due_day``) in force on the period's last day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcheck.core.periods import month_add, month_end
from gridcheck.core.rules import rule_int


class PeriodKind(models.TextChoices):
    DAY = "day", _("Daily")
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class ReportKind(models.TextChoices):
    ECONOMIC_ACTIVITY = "economic_activity", _("Monthly economic-activity analysis")
    INSPECTION_WEEKLY = "inspection_weekly", _("Inspection weekly report")
    DISPATCH_LIST = "dispatch_list", _("Daily dispatch list report")
    LINELOSS_MONTHLY = "lineloss_monthly", _("Line-loss monthly report")
    ASSESSMENT = "assessment", _("Assessment sheet")


@dataclass(frozen=True)
class Kind:
    """One report: ``code`` (a ``ReportKind``), its title as printed (Chinese), its period kind."""

    code: str
    title_cn: str
    period_kind: str
    order: int
    #: The report's mark in its document number (``S01经分〔2025〕03号``).
    abbreviation: str

    @property
    def label(self):
        return ReportKind(self.code).label

    @property
    def period_kind_label(self):
        return PeriodKind(self.period_kind).label

    @property
    def rule_key(self) -> str:
        return f"reports.{self.code}.due_day"

    def period_start(self, day: datetime.date) -> datetime.date:
        """The first day of the period containing ``day``."""
        if self.period_kind == PeriodKind.MONTH:
            return day.replace(day=1)
        if self.period_kind == PeriodKind.WEEK:
            return day - datetime.timedelta(days=day.weekday())
        return day

    def period_end(self, start: datetime.date) -> datetime.date:
        if self.period_kind == PeriodKind.MONTH:
            return month_end(start)
        if self.period_kind == PeriodKind.WEEK:
            return start + datetime.timedelta(days=6)
        return start

    def current_period(self, today: datetime.date) -> datetime.date:
        """The period whose report is being made now: the last month or week that has ended, or today."""
        if self.period_kind == PeriodKind.MONTH:
            return month_add(today.replace(day=1), -1)
        if self.period_kind == PeriodKind.WEEK:
            return self.period_start(today) - datetime.timedelta(days=7)
        return today

    def previous_period(self, start: datetime.date) -> datetime.date:
        if self.period_kind == PeriodKind.MONTH:
            return month_add(start, -1)
        return start - datetime.timedelta(days=7 if self.period_kind == PeriodKind.WEEK else 1)

    def due_on(self, start: datetime.date) -> datetime.date:
        """The day by which the report of the period starting ``start`` is due (rule table)."""
        end = self.period_end(start)
        value = rule_int(self.rule_key, end)
        if self.period_kind == PeriodKind.MONTH:
            following = month_add(start, 1)
            return following.replace(day=min(value, month_end(following).day))
        return end + datetime.timedelta(days=value)

    def period_text(self, start: datetime.date) -> str:
        """The period as a Chinese document prints it: 2026年11月, 2026年11月16日至22日, 2026年11月16日."""
        if self.period_kind == PeriodKind.MONTH:
            return f"{start.year}年{start.month}月"
        if self.period_kind == PeriodKind.WEEK:
            end = self.period_end(start)
            tail = f"{end.month}月{end.day}日" if end.month != start.month else f"{end.day}日"
            return f"{start.year}年{start.month}月{start.day}日至{tail}"
        return f"{start.year}年{start.month}月{start.day}日"

    def period_key(self, start: datetime.date) -> str:
        """The period as a query value: ``2026-11``, or the first day ``2026-11-16``."""
        return f"{start:%Y-%m}" if self.period_kind == PeriodKind.MONTH else f"{start:%Y-%m-%d}"

    def period_parse(self, value: str) -> datetime.date:
        """The period named by ``value`` (``2026-11`` or a day of it); raises ``PeriodError``."""
        from gridcheck.core.periods import date_parse, month_parse

        value = (value or "").strip()
        if self.period_kind == PeriodKind.MONTH:
            return month_parse(value)
        return self.period_start(date_parse(value))


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(ReportKind.ECONOMIC_ACTIVITY, "月度经济活动分析", PeriodKind.MONTH, 10, "经分"),
        Kind(ReportKind.LINELOSS_MONTHLY, "线损月报", PeriodKind.MONTH, 20, "线损"),
        Kind(ReportKind.INSPECTION_WEEKLY, "用电检查周报", PeriodKind.WEEK, 30, "检查"),
        Kind(ReportKind.DISPATCH_LIST, "派工单日清单", PeriodKind.DAY, 40, "派工"),
        Kind(ReportKind.ASSESSMENT, "月度考核表", PeriodKind.MONTH, 50, "考核"),
    )
}


def kind_of(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise KeyError(f"no report kind {code!r}") from None
