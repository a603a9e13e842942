"""What the seals app announces to the apps above it (which it may not import).

``seal_found_broken``: a seal was reported found broken (``services.seal_broken_report``), inside the
report's transaction. Arguments: ``seal_break`` (the ``SealBreak``), ``customer`` (whose meter carries the
seal), ``reason`` (the text of the work order to open), ``due_on`` (its due date, by the rule
``seals.broken_seal.work_order_due_days``) and ``reported_by``. The inspections app subscribes and opens
the inspection work order, which it records on ``seal_break.work_order``.
"""

from django.dispatch import Signal

seal_found_broken = Signal()
