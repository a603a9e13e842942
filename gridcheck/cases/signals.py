"""What cases announces to the apps above it (they subscribe; cases imports none of them)."""

from django.dispatch import Signal

#: A case was closed (paid, the three answers given): ``case``, ``user``. Detection records the outcome
#: on the suspect that led to it.
case_closed = Signal()
