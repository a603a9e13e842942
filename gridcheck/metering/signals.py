"""Signals of the metering asset ledger: a meter changed at a metering point.

Billing sits above metering and may subscribe (the old part and the new part of the period are billed
apart); metering never imports it.
"""

from django.dispatch import Signal

#: Sent after a meter change is saved: ``change`` (a ``MeterChange``), ``user``.
meter_changed = Signal()
