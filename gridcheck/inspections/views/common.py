"""What every inspection page shares: the capability mixins, scoping and messages of refusals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.scoping import scope_queryset
from gridcheck.inspections import selectors
from gridcheck.users.models import User


def show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def scoped(model, user):
    return scope_queryset(model._default_manager.all(), user)


def station_staff(station_id):
    return User.objects.filter(station_id=station_id, is_active=True).order_by("username")


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
