"""Signals the archive sends so that apps above it can take part without the archive importing them."""

from django.dispatch import Signal

#: Sent by ``services.customer_update`` before a customer is saved with status ``active`` when it was
#: not active before (``sender=Customer``, ``customer``, ``user``, ``on``: the date of the change).
#: A receiver that refuses the change raises ``django.core.exceptions.ValidationError``
#: (e.g. the contracts app: no supply without a supply contract in force).
customer_activating = Signal()
