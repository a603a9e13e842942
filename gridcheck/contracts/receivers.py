"""What supply contracts does when lower layers act: no supply without a contract; a breach case linked
to the customer's contract. Connected in ``registrations.register``; thin, the work is in services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridcheck.contracts.selectors import customer_is_covered


def refuse_activation_without_contract(sender, *, customer, on, **kwargs) -> None:
    """``archive.signals.customer_activating``: refuse to make a customer active (supplied) without a
    supply contract in force; a residential customer is covered by the residential notice."""
    if not customer_is_covered(customer, on):
        raise ValidationError(
            {
                "status": _(
                    "Customer %(account)s cannot be set active: there is no supply contract in force "
                    "(no supply without a contract). Sign the contract first."
                )
                % {"account": customer.account_number}
            }
        )


def link_new_case(sender, *, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` of a theft / violation case: link it to the customer's contract in force (inside
    the case's own transaction)."""
    if not created or raw:
        return
    from gridcheck.contracts.services import contract_link_case

    contract_link_case(instance)
