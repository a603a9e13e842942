"""What billing announces to the apps above it (collection subscribes in its ``registrations.py``).

``bills_issued``: sent inside the issuing transaction with ``cycle`` and ``bill_ids`` (the bills issued).
``bill_adjusted``: sent inside the approving transaction with ``bill`` and ``adjustment`` (approved).
A receiver that raises rolls the issue or the approval back: nothing is half-written.
"""

from django.dispatch import Signal

bills_issued = Signal()
bill_adjusted = Signal()
