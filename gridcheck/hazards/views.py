"""Pages of the hazards app: dashboard with the 1+1+1 calendar, hazard register, notices, customers and
the read-only portal for customers.

Who sees what: staff within their scope (``gridcheck.core.scoping``); the government liaison reads the
whole county and changes nothing; a customer portal user (a user linked to a ``CustomerContact``) sees
only their customer's hazards and notices, under /hazards/portal/, and may only confirm a rectification.
Any other object is a 404, so a portal user learns nothing of other customers by trying URLs.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.core.generic import ScopedListView, error_messages, history_entries
from gridcheck.core.roles import RUN_COUNTY, VIEW, has_capability
from gridcheck.core.uploads import upload_response
from gridcheck.hazards import selectors, services
from gridcheck.hazards.choices import OPEN_STATUSES, TRANSITIONS, HazardStatus, NoticeKind
from gridcheck.hazards.filtersets import HazardFilterSet, NoticeFilterSet
from gridcheck.hazards.forms import (
    ConfirmRectificationForm,
    CustomerContactForm,
    DrillRecordForm,
    DrillScheduleForm,
    GovernmentContactForm,
    HazardCancelForm,
    HazardCorrectForm,
    HazardForm,
    PaperDeliveryForm,
    RiskWarningForm,
)
from gridcheck.hazards.models import CustomerContact, Drill, GovernmentContact, Hazard, HazardPhoto, Notice


class StaffViewMixin(LoginRequiredMixin):
    """Staff and liaison pages: a portal user is sent to the portal; others need ``view``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if selectors.is_portal_user(request.user):
            return redirect("hazards:portal")
        if not has_capability(request.user, VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ManageMixin(StaffViewMixin):
    """Pages that change something: staff who manage hazards only (never liaison or portal users)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_portal_user(request.user):
            if not selectors.can_manage_hazards(request.user):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DashboardView(StaffViewMixin, TemplateView):
    """Hazard statistics, the 1+1+1 calendar (what is due, what is sent) and the buttons that run it."""

    template_name = "hazards/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        counts = selectors.hazard_counts(user=user, today=today)
        county_documents = Notice.objects.exclude(kind=NoticeKind.RISK_WARNING).filter(customer__isnull=True)
        notices = list(selectors.visible(county_documents, user)[:8])
        ctx.update(
            counts=counts,
            due=selectors.calendar_due(user=user, today=today),
            can_manage=selectors.can_manage_hazards(user),
            can_run_calendar=has_capability(user, RUN_COUNTY),
            recent=selectors.hazards_for(user).filter(status=HazardStatus.OVERDUE).order_by("deadline")[:10],
            notices=notices,
            # the county's documents exist but name other stations' customers: say so, not "none yet"
            county_documents_elsewhere=not notices and county_documents.exists(),
            chart_data={
                "trend": selectors.monthly_trend(user=user, today=today),
                "severity": [{"name": str(label), "value": n} for label, n, _v in counts["by_severity"]],
                "status": {
                    "labels": [str(label) for label, _n, _v in counts["by_status"]],
                    "values": [n for _l, n, _v in counts["by_status"]],
                },
            },
            today=today,
        )
        return ctx


class CalendarRunView(ManageMixin, View):
    """The buttons: produce and send this month's notices, or the last quarter's briefing. They cover the
    whole county: only county-level station heads and administrators press them."""

    def post(self, request, what):
        if not has_capability(request.user, RUN_COUNTY):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            if what == "monthly":
                result = services.hazard_monthly_run(month=today.replace(day=1), actor=request.user)
                messages.success(
                    request,
                    _(
                        "%(period)s: %(created)s notices produced, %(emails)s emails queued, %(paper)s on paper."
                    )
                    % {
                        "period": result.period,
                        "created": result.created,
                        "emails": result.emails,
                        "paper": result.paper,
                    },
                )
            elif what == "quarterly":
                year, quarter = selectors.last_quarter(today)
                result = services.hazard_briefing_run(year=year, quarter=quarter, actor=request.user)
                messages.success(
                    request,
                    _("Briefing %(period)s ready, %(emails)s emails queued.")
                    % {"period": result.period, "emails": result.emails},
                )
            else:
                raise Http404
        except ValidationError as error:
            error_messages(request, error)
        return redirect("hazards:dashboard")


class HazardListView(StaffViewMixin, ScopedListView):
    model = Hazard
    filterset_class = HazardFilterSet
    title = gettext_lazy("Hazards")
    search_placeholder = gettext_lazy("Account number, customer name or description")
    template_name = "hazards/hazard_list.html"

    @property
    def table_class(self):
        from gridcheck.hazards.tables import HazardTable

        return HazardTable

    def get_queryset(self):
        return selectors.hazards_for(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = selectors.can_manage_hazards(self.request.user)
        return ctx


class HazardDetailView(StaffViewMixin, TemplateView):
    template_name = "hazards/hazard_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        hazard = get_object_or_404(selectors.hazards_for(self.request.user), pk=kwargs["pk"])
        can_manage = selectors.can_manage_hazards(self.request.user)
        ctx.update(
            object=hazard,
            events=hazard.events.select_related("actor"),
            photos=hazard.photos.all(),
            notices=hazard.notices.all(),
            # a county document (the government summary, a briefing) is listed, linked only for who reads it
            readable_notice_ids=set(
                selectors.visible(hazard.notices.all(), self.request.user).values_list("pk", flat=True)
            ),
            history=history_entries(hazard),
            can_manage=can_manage,
            can_correct=can_manage
            and hazard.status in OPEN_STATUSES
            and not services.hazard_told_to_government(hazard),
            transitions=[HazardStatus(s) for s in TRANSITIONS.get(hazard.status, ())] if can_manage else [],
        )
        return ctx


class HazardTransitionView(ManageMixin, View):
    def post(self, request, pk):
        hazard = get_object_or_404(selectors.hazards_for(request.user), pk=pk)
        photos = request.FILES.getlist("photos")
        try:
            to_status = request.POST.get("to_status", "")
            if to_status not in HazardStatus.values:
                raise ValidationError(_("Unknown status."))
            services.hazard_transition(
                hazard=hazard,
                to_status=to_status,
                actor=request.user,
                note=request.POST.get("note", ""),
                photos=photos,
            )
            messages.success(
                request, _("Status changed to %(status)s.") % {"status": HazardStatus(to_status).label}
            )
        except ValidationError as error:
            error_messages(request, error)
        return redirect("hazards:hazard_detail", pk=hazard.pk)


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: each field's message on its field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class HazardCorrectView(ManageMixin, TemplateView):
    """Correct a registered hazard with a reason (until the government is told of it)."""

    template_name = "hazards/hazard_correct.html"

    def hazard(self):
        return get_object_or_404(selectors.hazards_for(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        hazard = self.hazard()
        form = HazardCorrectForm(instance=hazard, user=request.user)
        return self.render_to_response(self.get_context_data(form=form, hazard=hazard))

    def post(self, request, *args, **kwargs):
        hazard = self.hazard()
        form = HazardCorrectForm(request.POST, instance=hazard, user=request.user)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in HazardCorrectForm.Meta.fields}
            try:
                services.hazard_correct(
                    hazard=hazard, user=request.user, reason=form.cleaned_data["reason"], **data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Hazard corrected."))
                return redirect(hazard)
        hazard.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form, hazard=hazard))


class HazardCancelView(ManageMixin, View):
    """Cancel a hazard registered by mistake, with a reason (POST from the hazard's page)."""

    def post(self, request, pk):
        hazard = get_object_or_404(selectors.hazards_for(request.user), pk=pk)
        form = HazardCancelForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({"reason": form.errors.get("reason", [_("Give the reason.")])})
            services.hazard_cancel(hazard=hazard, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Hazard cancelled as registered by mistake."))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                label = HazardCancelForm.base_fields["reason"].label
                for errors in error.message_dict.values():
                    for message in errors:
                        messages.error(request, f"{label}：{message}")
            else:
                error_messages(request, error)
        return redirect("hazards:hazard_detail", pk=hazard.pk)


class HazardCreateView(ManageMixin, TemplateView):
    template_name = "hazards/hazard_form.html"

    def get_form(self):
        initial = {"found_on": timezone.localdate(), "responsible_staff": self.request.user.pk}
        if self.request.GET.get("customer", "").isdigit():
            # From a customer's page: the form shows the customer's account number, never the id.
            customer = selectors.visible(
                Customer.objects.filter(pk=int(self.request.GET["customer"])), self.request.user
            ).first()
            if customer is not None:
                initial["customer"] = customer.account_number
        return HazardForm(
            self.request.POST or None, self.request.FILES or None, initial=initial, user=self.request.user
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            customer = data["customer"]
            if not selectors.visible(Customer.objects.filter(pk=customer.pk), request.user).exists():
                form.add_error("customer", _("This customer is outside your scope."))
            else:
                try:
                    hazard = services.hazard_create(
                        customer=customer,
                        category=data["category"],
                        severity=data["severity"],
                        description=data["description"],
                        consequence=data["consequence"],
                        advice=data["advice"],
                        found_on=data["found_on"],
                        deadline=data["deadline"],
                        responsible_person=data["responsible_person"],
                        responsible_phone=data["responsible_phone"],
                        responsible_staff=data["responsible_staff"],
                        found_by_inspection_ref=data["found_by_inspection_ref"],
                        found_by=request.user,
                        photos=data["photos"],
                    )
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        for field, errors in error.message_dict.items():
                            form.add_error(field if field in form.fields else None, errors)
                    else:
                        form.add_error(None, error)
                else:
                    messages.success(request, _("Hazard registered."))
                    late = hazard.notices.filter(kind=NoticeKind.CUSTOMER_SUPPLEMENTARY).first()
                    if late is not None:
                        messages.info(
                            request,
                            _(
                                "This month's notices were already sent: the customer gets the "
                                "supplementary notice %(number)s now."
                            )
                            % {"number": late.document_number},
                        )
                    return redirect(hazard)
        return self.render_to_response(self.get_context_data(form=form))


class CustomerLookupView(ManageMixin, View):
    """The hazard form's customer picker: customers of the user's scope whose account number starts with,
    or whose name contains, ``q`` (at least two characters), as JSON ``[{"value", "label"}]``."""

    LIMIT = 15

    def get(self, request, *args, **kwargs):
        from django.db.models import Q
        from django.http import JsonResponse

        q = " ".join(request.GET.get("q", "").split())
        if len(q) < 2:
            return JsonResponse({"results": []})
        customers = (
            selectors.visible(Customer.objects.all(), request.user)
            .filter(Q(account_number__startswith=q) | Q(name__icontains=q))
            .order_by("account_number")
            .only("account_number", "name")[: self.LIMIT]
        )
        return JsonResponse(
            {
                "results": [
                    {"value": c.account_number, "label": f"{c.account_number} {c.name}"} for c in customers
                ]
            }
        )


class NoticeListView(StaffViewMixin, ScopedListView):
    model = Notice
    filterset_class = NoticeFilterSet
    title = gettext_lazy("Notices and briefings")
    search_placeholder = gettext_lazy("Title, document number or customer")

    @property
    def table_class(self):
        from gridcheck.hazards.tables import NoticeTable

        return NoticeTable

    def get_queryset(self):
        return selectors.visible(Notice.objects.select_related("customer"), self.request.user)


class NoticeDetailView(StaffViewMixin, TemplateView):
    template_name = "hazards/notice_detail.html"

    def get_notice(self):
        return get_object_or_404(
            selectors.visible(Notice.objects.all(), self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = self.get_notice()
        ctx.update(
            object=notice,
            hazards=notice.hazards.select_related("customer")[:200],
            history=history_entries(notice),
            can_manage=selectors.can_manage_hazards(self.request.user),
            paper_form=kwargs.get("paper_form")
            or PaperDeliveryForm(initial={"delivered_on": timezone.localdate()}),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not selectors.can_manage_hazards(request.user):
            raise PermissionDenied
        notice = self.get_notice()
        form = PaperDeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.notice_paper_delivery_record(
                    notice=notice,
                    delivered_on=form.cleaned_data["delivered_on"],
                    received_by=form.cleaned_data["received_by"],
                    receipt=form.cleaned_data["receipt"],
                    actor=request.user,
                )
                messages.success(request, _("Paper delivery recorded."))
                return redirect(notice)
            except ValidationError as error:
                error_messages(request, error)
        return self.render_to_response(self.get_context_data(paper_form=form))


class NoticePdfView(LoginRequiredMixin, View):
    """The PDF of a notice: staff within scope, liaison, and a portal user for their own notices."""

    def get(self, request, pk):
        notice = get_object_or_404(selectors.visible(Notice.objects.all(), request.user), pk=pk)
        if not selectors.is_portal_user(request.user) and not has_capability(request.user, VIEW):
            raise PermissionDenied
        if not notice.pdf:
            raise Http404
        name = f"{notice.document_number or notice.pk}.pdf"
        return upload_response(notice.pdf, content_type="application/pdf", download_name=name)


class NoticeReceiptView(StaffViewMixin, View):
    """The scanned delivery receipt of a notice's paper copy (staff and liaison only)."""

    def get(self, request, pk):
        notice = get_object_or_404(selectors.visible(Notice.objects.all(), request.user), pk=pk)
        if not notice.paper_receipt:
            raise Http404
        name = notice.paper_receipt.name.rsplit("/", 1)[-1]
        kind = "application/pdf" if name.lower().endswith(".pdf") else "image/jpeg"
        kind = "image/png" if name.lower().endswith(".png") else kind
        return upload_response(notice.paper_receipt, content_type=kind, download_name=name)


class HazardPhotoView(LoginRequiredMixin, View):
    """A hazard photo, served only to those who may see its hazard (photos are not public media)."""

    def get(self, request, pk):
        photo = get_object_or_404(selectors.visible(HazardPhoto.objects.all(), request.user), pk=pk)
        if not selectors.is_portal_user(request.user) and not has_capability(request.user, VIEW):
            raise PermissionDenied
        name = photo.image.name.rsplit("/", 1)[-1]
        kind = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        return upload_response(photo.image, content_type=kind, download_name=name, inline_image=True)


class RiskCustomerListView(StaffViewMixin, TemplateView):
    """High-risk and important customers: supply facts, emergency plans, drills, open hazards."""

    template_name = "hazards/customers.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        from django.db.models import Count, Q

        customers = (
            selectors.visible(
                Customer.objects.filter(Q(is_high_risk=True) | Q(is_important=True)), self.request.user
            )
            .select_related("station", "safety_profile")
            .annotate(open_hazards=Count("hazards", filter=Q(hazards__status__in=OPEN_STATUSES)))
            .order_by("-open_hazards", "account_number")[:300]
        )
        year = timezone.localdate().year
        drills = selectors.visible(
            Drill.objects.filter(scheduled_on__year=year).select_related("customer"), self.request.user
        ).order_by("scheduled_on")
        ctx.update(customers=customers, drills=drills[:200], year=year)
        return ctx


class CustomerSafetyView(StaffViewMixin, TemplateView):
    """One customer's safety file: profile, contacts, hazards, drills, notices; add a contact, plan a
    drill, send a risk warning."""

    template_name = "hazards/customer_safety.html"
    forms = {"contact": CustomerContactForm, "drill": DrillScheduleForm, "warning": RiskWarningForm}

    def get_customer(self):
        return get_object_or_404(
            selectors.visible(Customer.objects.select_related("station"), self.request.user),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.get_customer()
        initial = {"customer": customer.pk}
        bound = kwargs.get("bound", {})
        ctx.update(
            customer=customer,
            profile=getattr(customer, "safety_profile", None),
            contacts=CustomerContact.objects.filter(customer=customer).select_related("portal_user"),
            hazards=Hazard.objects.filter(customer=customer).order_by("-found_on"),
            drills=Drill.objects.filter(customer=customer).order_by("-scheduled_on"),
            notices=Notice.objects.filter(customer=customer).order_by("-period", "-pk"),
            can_manage=selectors.can_manage_hazards(self.request.user),
            contact_form=bound.get("contact") or CustomerContactForm(initial=initial),
            drill_form=bound.get("drill") or DrillScheduleForm(initial=initial),
            warning_form=bound.get("warning") or RiskWarningForm(initial=initial),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not selectors.can_manage_hazards(request.user):
            raise PermissionDenied
        customer = self.get_customer()
        action = request.POST.get("action", "")
        if action not in self.forms:
            raise Http404
        form = self.forms[action](request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("customer", None)
            try:
                if action == "contact":
                    services.customer_contact_create(customer=customer, **data)
                    messages.success(request, _("Contact added."))
                elif action == "drill":
                    services.drill_schedule(customer=customer, **data)
                    messages.success(request, _("Drill planned."))
                else:
                    services.risk_warning_send(customer=customer, actor=request.user, **data)
                    messages.success(request, _("Risk warning sent."))
                return redirect("hazards:customer_safety", pk=customer.pk)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
        return self.render_to_response(self.get_context_data(bound={action: form}), status=400)


class DrillRecordView(ManageMixin, TemplateView):
    """Record a held drill: date, participants, findings."""

    template_name = "hazards/drill_record.html"

    def get_drill(self):
        return get_object_or_404(
            selectors.visible(Drill.objects.select_related("customer"), self.request.user),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        drill = self.get_drill()
        ctx.update(
            drill=drill, form=kwargs.get("form") or DrillRecordForm(initial={"held_on": drill.scheduled_on})
        )
        return ctx

    def post(self, request, *args, **kwargs):
        drill = self.get_drill()
        form = DrillRecordForm(request.POST)
        if form.is_valid():
            try:
                services.drill_record(drill=drill, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Drill recorded."))
                return redirect("hazards:customer_safety", pk=drill.customer_id)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class GovernmentContactsView(StaffViewMixin, TemplateView):
    """The county government contacts of the 1+1+1 network; staff who manage hazards add them."""

    template_name = "hazards/government_contacts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            contacts=GovernmentContact.objects.order_by("department", "name"),
            # The government contacts receive the county's summary: only county level adds them.
            can_manage=has_capability(self.request.user, RUN_COUNTY),
            form=kwargs.get("form") or GovernmentContactForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_capability(request.user, RUN_COUNTY):
            raise PermissionDenied
        form = GovernmentContactForm(request.POST)
        if form.is_valid():
            try:
                services.government_contact_create(**form.cleaned_data)
                messages.success(request, _("Contact added."))
                return redirect("hazards:government_contacts")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- the customer portal -----------------------------------------------------------------------


class PortalMixin(LoginRequiredMixin):
    """Portal pages: only for a customer portal user, and only their own customer."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.customer = selectors.portal_customer_for(request.user)
        if self.customer is None:
            return redirect("hazards:dashboard")
        return super().dispatch(request, *args, **kwargs)


class PortalHomeView(PortalMixin, TemplateView):
    template_name = "hazards/portal/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        hazards = Hazard.objects.filter(customer=self.customer).order_by("status", "deadline")
        ctx.update(
            customer=self.customer,
            hazards=hazards,
            open_hazards=[h for h in hazards if h.is_open],
            notices=Notice.objects.filter(customer=self.customer).order_by("-period"),
            today=timezone.localdate(),
        )
        return ctx


class PortalHazardView(PortalMixin, TemplateView):
    template_name = "hazards/portal/hazard.html"

    def get_hazard(self):
        return get_object_or_404(Hazard.objects.filter(customer=self.customer), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        hazard = self.get_hazard()
        ctx.update(
            customer=self.customer,
            object=hazard,
            photos=hazard.photos.all(),
            events=hazard.events.all(),
            can_confirm=HazardStatus.RECTIFIED in TRANSITIONS.get(hazard.status, ()),
            form=kwargs.get("form") or ConfirmRectificationForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        hazard = self.get_hazard()
        form = ConfirmRectificationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.hazard_rectification_confirm(
                    hazard=hazard,
                    user=request.user,
                    photos=form.cleaned_data["photos"],
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request, _("Thank you: the rectification is recorded and will be re-inspected.")
                )
                return redirect("hazards:portal_hazard", pk=hazard.pk)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)
