"""Selectors of the seals app: who may do what with seals and pliers."""

from gridcheck.core.roles import DISPATCH, FIELD_WORK, has_capability


def can_manage_store(user) -> bool:
    """Receive seal batches, issue and take back seals, register and sign out pliers (dispatchers)."""
    return has_capability(user, DISPATCH)


def can_do_field_work(user) -> bool:
    """Put a seal on a meter, open it for work or report it broken."""
    return has_capability(user, FIELD_WORK)
