"""What inspections announces to the apps above it (they subscribe; inspections imports none of them)."""

from django.dispatch import Signal

#: A work order was closed: ``work_order``, ``user``. Detection records its suspect's outcome.
work_order_closed = Signal()
