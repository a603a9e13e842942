"""What the service desk adds to the floor: its section's capability, the portal pages (a customer's
electrician), menu entries, the daily escalation job and the to-do lines."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, TodoItem, access, jobs, list_url, menu, todos
from gridcheck.core.roles import MANAGE_SERVICEDESK, PORTAL, VIEW_SERVICEDESK, has_capability, is_portal_user
from gridcheck.core.schedule import Job, daily

PORTAL_PAGES = (
    "servicedesk:portal",
    "servicedesk:portal_ask",
    "servicedesk:portal_consultation",
    "servicedesk:portal_knowledge",
    "servicedesk:portal_complaint",
    "servicedesk:portal_feedback",
    "servicedesk:portal_guidance",
    "servicedesk:portal_guidance_detail",
    "servicedesk:portal_announcements",
    "servicedesk:portal_trainings",
    "servicedesk:portal_training",
    "servicedesk:portal_training_sign",
    "servicedesk:portal_forum",
    "servicedesk:portal_forum_thread",
    "servicedesk:portal_typical_cases",
)
#: Served to staff readers and to a portal login (the views narrow it to its own customer).
SHARED = (
    "servicedesk:photo",
    "servicedesk:guidance_attachment",
    "servicedesk:training_material",
    "servicedesk:forum_attachment",
    *(
        f"api:servicedesk-{name}"
        for name in (
            "consultation-list",
            "consultation-detail",
            "consultation-answer",
            "consultation-rate",
            "consultation-publish",
            "article-list",
            "article-detail",
            "complaint-list",
            "complaint-detail",
            "complaint-answer",
            "complaint-close",
            "guidance-list",
            "guidance-detail",
            "guidance-acknowledge",
            "announcement-list",
            "announcement-detail",
            "typical-case-list",
            "typical-case-detail",
        )
    ),
)

MENU = [  # (label, url name, capability)
    (_("Consultation queue"), "servicedesk:consultation_list", VIEW_SERVICEDESK),
    (_("Answered in time and satisfaction"), "servicedesk:dashboard", VIEW_SERVICEDESK),
    (_("Service complaints"), "servicedesk:complaint_list", VIEW_SERVICEDESK),
    (_("Business leads"), "servicedesk:lead_list", VIEW_SERVICEDESK),
    (_("Knowledge base"), "servicedesk:knowledge_list", VIEW_SERVICEDESK),
    (_("Guidance library"), "servicedesk:guidance_list", VIEW_SERVICEDESK),
    (_("Announcements"), "servicedesk:announcement_list", VIEW_SERVICEDESK),
    (_("Trainings and drills"), "servicedesk:training_list", VIEW_SERVICEDESK),
    (_("Technical forum"), "servicedesk:forum_list", VIEW_SERVICEDESK),
    (_("Anti-theft publicity campaigns"), "servicedesk:campaign_list", VIEW_SERVICEDESK),
    (_("Typical cases"), "servicedesk:typical_case_list", VIEW_SERVICEDESK),
]


def staff_or_portal(user) -> bool:
    return has_capability(user, VIEW_SERVICEDESK) or has_capability(user, PORTAL)


def _daily(period: str):
    from gridcheck.servicedesk.tasks import servicedesk_daily_task

    return servicedesk_daily_task.enqueue(period=period)


def _overdue(user) -> QuerySet:
    from gridcheck.servicedesk.selectors import consultations_for, queue_filter

    return queue_filter(consultations_for(user), "overdue")


def _waiting(user) -> QuerySet:
    from gridcheck.servicedesk.selectors import consultations_for, queue_filter

    return queue_filter(consultations_for(user), "open")


def register() -> None:
    access.register("servicedesk", VIEW_SERVICEDESK)
    for name in PORTAL_PAGES:
        access.register(name, PORTAL)
    for name in SHARED:
        access.register(name, staff_or_portal)
    menu.add_section("servicedesk", _("Electricians' service desk"), order=75)
    for order, (label, url_name, capability) in enumerate(MENU):
        menu.add_item("servicedesk", MenuItem(label, url_name, capability, order=order))
    menu.add_item(
        "servicedesk", MenuItem(_("Electricians' home"), "servicedesk:portal", is_portal_user, order=10)
    )
    jobs.register("servicedesk.daily", Job("servicedesk.daily", daily, _daily))
    todos.register(
        "servicedesk.overdue",
        TodoItem(
            _("Electricians' questions past their answer time limit"),
            _overdue,
            list_url("servicedesk:consultation_list", view="overdue"),
            MANAGE_SERVICEDESK,
            order=75,
            urgent=True,
        ),
    )
    todos.register(
        "servicedesk.waiting",
        TodoItem(
            _("Electricians' questions waiting for an answer"),
            _waiting,
            list_url("servicedesk:consultation_list", view="open"),
            MANAGE_SERVICEDESK,
            order=76,
        ),
    )
