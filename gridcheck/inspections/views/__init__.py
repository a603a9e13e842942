"""Pages of the inspections app, one module per section: ``work_orders``, ``visits`` (the phone visit
page), ``plans``, ``reports`` (dispatch list, weekly report), ``campaigns``, ``tipoffs``.

Every page is scoped (``gridcheck.core.scoping``): an object outside the user's scope is a 404. Reading
needs ``view``; dispatching (assign, plans, tip-off register) needs ``selectors.can_dispatch``;
field work (visits) ``selectors.can_do_field_work``. Every change goes through
``gridcheck.inspections.services``.
"""
