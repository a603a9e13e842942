"""What notifications adds to the floor: its menu entries and the outbox flush every minute."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, jobs, menu
from gridcheck.core.roles import VIEW
from gridcheck.core.schedule import Job, every_minute


def register() -> None:
    from gridcheck.notifications.selectors import outbox_can_view, unread_badge

    menu.add_section("messages", _("Messages"), order=90)
    menu.add_item(
        "messages", MenuItem(_("My messages"), "notifications:inbox", VIEW, order=0, badge=unread_badge)
    )
    menu.add_item("messages", MenuItem(_("Outbox"), "notifications:outbox", outbox_can_view, order=1))
    menu.add_item(
        "messages", MenuItem(_("Notification settings"), "notifications:preferences", VIEW, order=2)
    )
    jobs.register("notifications.flush_outbox", Job("notifications.flush_outbox", every_minute, _flush))


def _flush(period: str):
    from gridcheck.notifications.tasks import flush_outbox

    return flush_outbox.enqueue()
