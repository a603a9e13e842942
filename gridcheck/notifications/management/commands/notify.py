"""``gridcheck notify flush``: send the due messages of the outbox and print what became of each.

Run it every minute (cron or a systemd timer); running two at once sends nothing twice.
``gridcheck notify status`` prints how many messages are in each status.
"""

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils.translation import gettext as _

from gridcheck.notifications.choices import MessageStatus
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import outbox_flush


class Command(BaseCommand):
    help = "Outbox of notifications: flush (send what is due) or status."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        flush = subcommands.add_parser("flush", help="Send the queued messages that are due.")
        flush.add_argument("--limit", type=int, default=100, help="At most this many messages.")
        subcommands.add_parser("status", help="How many messages are in each status.")

    def handle(self, *args, **options):
        if options["subcommand"] == "status":
            rows = Message.objects.order_by().values("status").annotate(n=Count("pk"))
            counts = {row["status"]: row["n"] for row in rows}
            for value, label in MessageStatus.choices:
                self.stdout.write(f"{label}: {counts.get(value, 0)}")
            return
        result = outbox_flush(limit=options["limit"])
        messages = Message.objects.in_bulk(
            result["sent"] + result["retrying"] + result["failed"] + result["requeued"]
        )
        for pk in result["requeued"]:
            self.stdout.write(_("requeued (interrupted) %(message)s") % {"message": messages[pk]})
        for pk in result["sent"]:
            self.stdout.write(self.style.SUCCESS(_("sent %(message)s") % {"message": messages[pk]}))
        for pk in result["retrying"]:
            message = messages[pk]
            self.stdout.write(
                self.style.WARNING(
                    _("will retry %(message)s at %(when)s: %(error)s")
                    % {
                        "message": message,
                        "when": message.next_attempt_at.isoformat(timespec="seconds"),
                        "error": message.last_error,
                    }
                )
            )
        for pk in result["failed"]:
            message = messages[pk]
            self.stdout.write(
                self.style.ERROR(
                    _("failed %(message)s after %(n)s attempts: %(error)s")
                    % {"message": message, "n": message.attempts, "error": message.last_error}
                )
            )
        self.stdout.write(
            _("Sent %(sent)s, to retry %(retrying)s, failed %(failed)s.")
            % {k: len(result[k]) for k in ("sent", "retrying", "failed")}
        )
