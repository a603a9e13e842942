"""Pages of the seals app: the seal store (batches, issue and return), one seal's page, the pliers.

Every page is scoped (``gridcheck.core.scoping``): an object outside the user's scope is a 404. Reading
needs ``view``; the store (batches, issuing, pliers) needs ``selectors.can_manage_store``; sealing a
meter, unsealing and reporting a broken seal ``selectors.can_do_field_work``. Every change goes through
``gridcheck.seals.services``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView, error_messages, history_entries
from gridcheck.core.scoping import scope_queryset, scoped
from gridcheck.seals import selectors, services
from gridcheck.seals.choices import SealBreakKind, SealStatus
from gridcheck.seals.filtersets import PliersFilterSet, SealFilterSet
from gridcheck.seals.forms import (
    PliersForm,
    PliersIssueForm,
    SealBatchForm,
    SealBreakForm,
    SealIssueForm,
    SealUseForm,
)
from gridcheck.seals.models import Pliers, PliersLoan, Seal
from gridcheck.seals.tables import PliersTable, SealTable
from gridcheck.users.models import User
from gridcheck.users.selectors import station_staff


class StoreRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_manage_store(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FieldWorkRequiredMixin(CapabilityRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_do_field_work(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- seals ---------------------------------------------------------------------------------------


class SealListView(ScopedListView):
    model = Seal
    filterset_class = SealFilterSet
    table_class = SealTable
    title = gettext_lazy("Seals")
    search_placeholder = gettext_lazy("Seal number")
    template_name = "seals/seal_list.html"

    def get_base_queryset(self):
        return Seal.objects.select_related("station", "holder", "meter")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if selectors.can_manage_store(user):
            ctx["batch_form"] = SealBatchForm()
            ctx["issue_form"] = SealIssueForm(
                staff=scoped(User, user).filter(is_active=True, station__isnull=False).order_by("username")
            )
        counts = {}
        for status in SealStatus:
            counts[status.label] = self.queryset.filter(status=status).count()
        ctx["counts"] = counts
        return ctx


class SealBatchCreateView(StoreRequiredMixin, View):
    def post(self, request):
        form = SealBatchForm(request.POST)
        station = request.user.station or Station.objects.filter(pk=request.POST.get("station") or 0).first()
        if not form.is_valid() or station is None:
            messages.error(request, _("Some fields are not valid."))
            return redirect("seals:seal_list")
        try:
            batch = services.seal_batch_create(station=station, received_by=request.user, **form.cleaned_data)
            messages.success(
                request, _("%(n)s seals received: %(batch)s.") % {"n": batch.size, "batch": batch}
            )
        except ValidationError as error:
            error_messages(request, error)
        return redirect("seals:seal_list")


class SealIssueView(StoreRequiredMixin, View):
    """Issue a range of seals to a member of staff, or take them back (``action`` issue/return)."""

    def post(self, request, action):
        form = SealIssueForm(request.POST, staff=scoped(User, request.user))
        if not form.is_valid():
            messages.error(request, _("Some fields are not valid."))
            return redirect("seals:seal_list")
        first = form.cleaned_data["first"].strip()
        last = (form.cleaned_data["last"] or first).strip()
        seals = list(
            scoped(Seal, request.user).filter(number__gte=first, number__lte=last).order_by("number")
        )
        if not seals:
            messages.error(request, _("No seals in that range."))
            return redirect("seals:seal_list")
        try:
            if action == "issue":
                n = services.seal_issue(seals=seals, staff=form.cleaned_data["staff"], by=request.user)
            elif action == "return":
                n = services.seal_return(seals=seals, staff=form.cleaned_data["staff"], by=request.user)
            else:
                raise Http404
            messages.success(request, _("%(n)s seals recorded.") % {"n": n})
        except ValidationError as error:
            error_messages(request, error)
        return redirect("seals:seal_list")


class SealDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "seals/seal_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        seal = get_object_or_404(
            scoped(Seal, user).select_related("batch", "holder", "meter"), pk=kwargs["pk"]
        )
        field = selectors.can_do_field_work(user)
        ctx.update(
            object=seal,
            movements=seal.movements.select_related("staff", "by"),
            use=getattr(seal, "use", None),
            breaks=seal.breaks.select_related("by", "second_person", "work_order"),
            history=history_entries(seal),
            use_form=SealUseForm()
            if field and seal.status == SealStatus.ISSUED and seal.holder_id == user.pk
            else None,
            break_form=SealBreakForm(staff=station_staff(seal.station_id).exclude(pk=user.pk))
            if field and seal.status == SealStatus.USED
            else None,
        )
        return ctx


class SealActionView(FieldWorkRequiredMixin, View):
    """Use a seal on a meter, unseal it for work (two people) or report it found broken."""

    def post(self, request, pk, action):
        seal = get_object_or_404(scoped(Seal, request.user), pk=pk)
        try:
            if action == "use":
                form = SealUseForm(request.POST, request.FILES)
                if form.is_valid():
                    services.seal_use(
                        seal=seal,
                        meter=form.cleaned_data["meter"],
                        used_by=request.user,
                        reason=form.cleaned_data["reason"],
                        photo=form.cleaned_data.get("photo"),
                    )
            elif action == "break":
                form = SealBreakForm(request.POST, request.FILES, staff=scoped(User, request.user))
                if form.is_valid():
                    data = form.cleaned_data
                    if data["kind"] == SealBreakKind.UNSEALED:
                        services.seal_unseal(
                            seal=seal,
                            by=request.user,
                            second_person=data["second_person"],
                            reason=data["reason"],
                            photo=data.get("photo"),
                        )
                    else:
                        event = services.seal_broken_report(
                            seal=seal,
                            reported_by=request.user,
                            reason=data["reason"],
                            photo=data.get("photo"),
                        )
                        if event.work_order_id:
                            messages.success(
                                request, _("Work order %(n)s opened.") % {"n": event.work_order.number}
                            )
            else:
                raise Http404
            if not form.is_valid():
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, message)
        except ValidationError as error:
            error_messages(request, error)
        return redirect("seals:seal_detail", pk=seal.pk)


# --- pliers --------------------------------------------------------------------------------------


class PliersListView(ScopedListView):
    model = Pliers
    filterset_class = PliersFilterSet
    table_class = PliersTable
    title = gettext_lazy("Sealing pliers")
    template_name = "seals/pliers_list.html"

    def get_base_queryset(self):
        return Pliers.objects.select_related("station", "holder")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if selectors.can_manage_store(self.request.user):
            ctx["pliers_form"] = PliersForm()
            ctx["issue_form"] = PliersIssueForm(
                staff=scoped(User, self.request.user).filter(is_active=True, station__isnull=False)
            )
        ctx["loans"] = scope_queryset(
            PliersLoan.objects.select_related("pliers", "issued_to", "returned_to"), self.request.user
        )[:20]
        return ctx


class PliersActionView(StoreRequiredMixin, View):
    def post(self, request, action, pk=None):
        try:
            if action == "create":
                form = PliersForm(request.POST)
                station = request.user.station
                if form.is_valid() and station is not None:
                    services.pliers_create(station=station, user=request.user, **form.cleaned_data)
                else:
                    messages.error(request, _("Some fields are not valid."))
            else:
                pliers = get_object_or_404(scoped(Pliers, request.user), pk=pk)
                if action == "issue":
                    form = PliersIssueForm(request.POST, staff=scoped(User, request.user))
                    if form.is_valid():
                        services.pliers_issue(
                            pliers=pliers,
                            issued_to=form.cleaned_data["issued_to"],
                            issued_by=request.user,
                            purpose=form.cleaned_data["purpose"],
                        )
                    else:
                        messages.error(request, _("Some fields are not valid."))
                elif action == "return":
                    services.pliers_return(pliers=pliers, returned_to=request.user)
                else:
                    raise Http404
        except ValidationError as error:
            error_messages(request, error)
        return redirect("seals:pliers_list")
