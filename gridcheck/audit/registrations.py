"""What marketing audit adds to the floor: its section's capability, menu entries, the daily job, and
the rule table kept in step with the code after every migration."""

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, dashboard, jobs, menu, todos
from gridcheck.core.roles import RUN_AUDIT, VIEW_AUDIT
from gridcheck.core.schedule import Job, daily


def _daily(period: str):
    from gridcheck.audit.tasks import audit_daily_task

    return audit_daily_task.enqueue(period=period)


def _sync_rules(sender, **kwargs) -> None:
    if getattr(sender, "name", "") != "gridcheck.audit":
        return
    from gridcheck.audit.services import rules_sync

    rules_sync()


MENU: list = [  # the screens' entries: (label, url name, capability)
    (_("Audit findings"), "audit:finding_list", VIEW_AUDIT),
    (_("Audit runs"), "audit:run_list", RUN_AUDIT),
    (_("Rule library"), "audit:rule_list", VIEW_AUDIT),
    (_("Monthly audit report"), "audit:report", VIEW_AUDIT),
]


def register() -> None:
    access.register("audit", VIEW_AUDIT)
    menu.add_section("audit", _("Marketing audit"), order=48)
    for label, url_name, capability in MENU:
        menu.add_item("audit", MenuItem(label, url_name, capability))
    from gridcheck.audit.dashboard import TILE

    dashboard.register("audit.findings", TILE)
    jobs.register("audit.daily", Job("audit.daily", daily, _daily))
    post_migrate.connect(_sync_rules, dispatch_uid="audit.rules_sync")
    from gridcheck.audit.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
