"""Staff pages: the staff list with qualification status, the qualification list and a staff member's page."""

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area
from gridcheck.core.generic import ScopedDetailView, ScopedListView, history_entries
from gridcheck.core.roles import MANAGE_STAFF, VIEW_STAFF, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.users.filtersets import QualificationFilterSet, UserFilterSet
from gridcheck.users.models import Qualification, User
from gridcheck.users.tables import QualificationTable, UserTable, qualification_status, status_badge


def with_qualification_status(queryset):
    """Annotate ``valid_until`` (latest expiry of a certificate valid today) and ``last_expiry``."""
    today = timezone.localdate()
    return queryset.annotate(
        valid_until=Max(
            "qualifications__expires_on",
            filter=Q(qualifications__issued_on__lte=today, qualifications__expires_on__gte=today),
        ),
        last_expiry=Max("qualifications__expires_on"),
    )


class UserListView(ScopedListView):
    """Staff in the user's scope, by role and station, with the state of their inspection certificate."""

    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    export_entity = "staff"
    search_placeholder = _("User name, full name or employee number")
    title = _("Staff")

    def get_base_queryset(self):
        return with_qualification_status(User.objects.filter(is_active=True).select_related("station"))


class QualificationListView(ScopedListView):
    """Inspection certificates of staff in scope: for whoever reads the staff section, like the staff
    pages that show them and the API."""

    model = Qualification
    filterset_class = QualificationFilterSet
    table_class = QualificationTable
    export_entity = "qualifications"
    search_placeholder = _("Certificate number or name")
    required_capability = VIEW_STAFF
    title = _("Inspection qualifications")

    def get_base_queryset(self):
        return Qualification.objects.select_related("user__station")


class UserDetailView(ScopedDetailView):
    """A staff member's page: who they are, their certificates, the areas they own and their change history."""

    template_name = "users/user_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return scope_queryset(
            with_qualification_status(User.objects.select_related("station")), self.request.user
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = self.object
        status = qualification_status(person.valid_until, bool(person.last_expiry))
        ctx.update(
            qualification_badge=status_badge(status),
            qualifications=QualificationTable(
                person.qualifications.select_related("user__station"), orderable=False
            ),
            areas=list(scope_queryset(Area.objects.filter(owner=person), self.request.user)[:100]),
            history=history_entries(person),
            can_manage=has_capability(self.request.user, MANAGE_STAFF),
        )
        return ctx


user_list = UserListView.as_view()
qualification_list = QualificationListView.as_view()
user_detail = UserDetailView.as_view()
