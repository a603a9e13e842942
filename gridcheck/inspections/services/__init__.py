"""Services of the inspections app: every change of state goes through here, one module per section.

- ``work_orders``: open, assign, close and cancel work orders (and the work order of a broken seal);
- ``visits``: the field visit with its checklist, findings, photos and signatures;
- ``tipoffs``: the tip-off register;
- ``plans``: the monthly inspection plan; ``campaigns``: campaigns and their targets;
- ``common``: the audited save and the sequence numbers they share.

Functions are named ``<entity>_<action>``, keyword-only, run in one transaction and validate with
``full_clean()`` before saving. Each save names the acting user and a reason on the history record
(django-simple-history), which is the audit trail shown on every object's page.

Public entry points used by other apps (import them from here):
- ``work_order_create(*, source, customer, reason, created_by=None, due_on=None, related=None)``
- ``work_order_assign(*, work_order, inspectors, visit_date, assigned_by)``
- ``visit_submit(*, work_order, data, user, photos=())``
"""

from gridcheck.inspections.services.campaigns import campaign_create
from gridcheck.inspections.services.plans import (
    PlanResult,
    PlanSlot,
    plan_close,
    plan_generate,
    plan_publish,
    plan_slots,
)
from gridcheck.inspections.services.tipoffs import tipoff_conclude, tipoff_create, tipoff_reward_record
from gridcheck.inspections.services.visits import image_check, visit_submit
from gridcheck.inspections.services.work_orders import (
    assignment_problems,
    broken_seal_work_order,
    work_order_assign,
    work_order_cancel,
    work_order_close,
    work_order_correct,
    work_order_create,
    work_orders_overdue_notify,
)

__all__ = [
    "PlanResult",
    "PlanSlot",
    "assignment_problems",
    "broken_seal_work_order",
    "campaign_create",
    "image_check",
    "plan_close",
    "plan_generate",
    "plan_publish",
    "plan_slots",
    "tipoff_conclude",
    "tipoff_create",
    "tipoff_reward_record",
    "visit_submit",
    "work_order_assign",
    "work_order_cancel",
    "work_order_close",
    "work_order_correct",
    "work_order_create",
    "work_orders_overdue_notify",
]
