"""``gridcheck hazards monthly|quarterly|daily|simulate``: the 1+1+1 calendar from the command line.

- ``monthly --month 2026-11``: this month's notice per customer and the government summary (PDF, email,
  paper where there is no email); a second run sends nothing twice;
- ``quarterly --quarter 2026Q3``: the quarterly briefing report (PDF, email);
- ``due [--send]``: whatever the calendar asks for now (this month's notices, the last quarter's
  briefing), each only if not done yet;
- ``daily [--today 2026-11-25]``: mark overdue hazards, remind staff, escalate major ones to the head;
- ``simulate``: hazards, contacts, profiles and drills on the demo county (deterministic).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.periods import date_parse, month_parse, quarter_parse
from gridcheck.hazards import selectors, services


class Command(BaseCommand):
    help = "Hazard notices, briefings, reminders and the demo hazards (monthly, quarterly, daily, simulate)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="produce and send a month's notices and summary")
        monthly.add_argument("--month", default=None, help="YYYY-MM (default: this month)")
        monthly.add_argument("--send", action="store_true", help="flush the outbox now instead of waiting")
        quarterly = sub.add_parser("quarterly", help="produce and send a quarter's briefing report")
        quarterly.add_argument("--quarter", default=None, help="e.g. 2026Q3 (default: the last quarter)")
        quarterly.add_argument("--send", action="store_true", help="flush the outbox now instead of waiting")
        due = sub.add_parser("due", help="produce and send whatever the calendar asks for now")
        due.add_argument("--send", action="store_true", help="flush the outbox now instead of waiting")
        daily = sub.add_parser("daily", help="mark overdue hazards, remind and escalate")
        daily.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
        simulate = sub.add_parser("simulate", help="simulate hazards on the demo county")
        simulate.add_argument("--seed", type=int, default=20261125)
        simulate.add_argument("--customers", type=int, default=24)
        simulate.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
        simulate.add_argument("--portal-password", default="gridcheck-demo")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _flush(self):
        """Send what is queued now (normally the notifications worker does it)."""
        from gridcheck.notifications.services import outbox_flush

        sent = failed = 0
        while True:
            result = outbox_flush(limit=200)
            sent += len(result["sent"])
            failed += len(result["failed"]) + len(result["retrying"])
            if not result["sent"]:
                break
        self.stdout.write(_("Outbox: %(sent)s sent, %(failed)s failed.") % {"sent": sent, "failed": failed})

    def _monthly(self, *, month, send=False, **_options):
        month = month_parse(month) if month else timezone.localdate().replace(day=1)
        result = services.hazard_monthly_run(month=month)
        self.stdout.write(
            _(
                "%(period)s: %(created)s notices produced, %(sent)s already sent before, %(emails)s emails "
                "queued, %(paper)s on paper."
            )
            % {
                "period": result.period,
                "created": result.created,
                "sent": result.already_sent,
                "emails": result.emails,
                "paper": result.paper,
            }
        )
        for notice in result.produced:
            if notice.channel == "paper":
                self.stdout.write(
                    "  " + _("%(title)s: %(note)s") % {"title": notice.title, "note": notice.note}
                )
        if result.summary is not None:
            self.stdout.write(
                _("Government summary %(number)s: %(path)s")
                % {"number": result.summary.document_number, "path": result.summary.pdf.path}
            )
        if send:
            self._flush()

    def _quarterly(self, *, quarter, send=False, **_options):
        year, q = quarter_parse(quarter) if quarter else selectors.last_quarter(timezone.localdate())
        result = services.hazard_briefing_run(year=year, quarter=q)
        verb = _("produced") if result.created else _("already produced")
        self.stdout.write(
            _("Briefing %(period)s %(verb)s: %(path)s (%(emails)s emails queued)")
            % {"period": result.period, "verb": verb, "path": result.notice.pdf.path, "emails": result.emails}
        )
        if send:
            self._flush()

    def _due(self, *, send=False, **_options):
        """This month's notices and the last quarter's briefing, each only if not done yet."""
        items = {item["key"]: item for item in selectors.calendar_due(user=None, today=timezone.localdate())}
        if items["monthly"]["done"]:
            self.stdout.write(_("%(label)s: done.") % {"label": items["monthly"]["label"]})
        else:
            self._monthly(month=items["monthly"]["period"])
        if items["quarterly"]["done"]:
            self.stdout.write(_("%(label)s: done.") % {"label": items["quarterly"]["label"]})
        else:
            self._quarterly(quarter=items["quarterly"]["period"])
        if send:
            self._flush()

    def _daily(self, *, today, **_options):
        today = date_parse(today) if today else timezone.localdate()
        result = services.hazard_daily_run(today=today)
        self.stdout.write(
            _("%(overdue)s hazards marked overdue, %(escalated)s escalated, %(messages)s messages queued.")
            % {
                "overdue": len(result.marked_overdue),
                "escalated": len(result.escalated),
                "messages": result.messages,
            }
        )

    def _simulate(self, *, seed, customers, today, portal_password, **_options):
        from gridcheck.hazards.simulate import hazards_simulate

        today = date_parse(today) if today else timezone.localdate()
        result = hazards_simulate(
            today=today, seed=seed, customers=customers, portal_password=portal_password
        )
        if result.skipped:
            self.stdout.write(_("The demo hazards exist already; nothing changed."))
            return
        daily = services.hazard_daily_run(today=today)
        self.stdout.write(
            _(
                "%(hazards)s hazards (%(overdue)s overdue), %(contacts)s customer contacts and %(drills)s drills "
                "simulated."
            )
            % {
                "hazards": result.hazards,
                "overdue": len(daily.marked_overdue),
                "contacts": result.contacts,
                "drills": result.drills,
            }
        )
        if result.portal_username:
            self.stdout.write(
                _("Customer portal login: %(user)s / %(password)s")
                % {"user": result.portal_username, "password": portal_password}
            )
