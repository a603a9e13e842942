"""What every inspection page shares: the capability mixins, scoping and messages of refusals."""

from django.core.exceptions import PermissionDenied

from gridcheck.core.generic import CapabilityRequiredMixin, error_messages
from gridcheck.core.scoping import scoped  # noqa: F401 - the views import it from here
from gridcheck.inspections import selectors
from gridcheck.users.selectors import station_staff  # noqa: F401 - the views import it from here

show_errors = error_messages


class DispatchRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_dispatch(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FieldWorkRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_do_field_work(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
