"""The pages of the electricians' service desk: the portal side (a customer's electrician, on a phone)
and the staff side (queues with their time limits, the chart, complaints, leads, the knowledge base).

Reading the staff side needs ``view_servicedesk`` (checked by the access middleware and again here);
changing anything is the services' decision (``manage_servicedesk``, scope, never the person a complaint
is about). The portal pages are for a portal login only and show its own customer's rows; any other
object is a 404, so nothing is learnt by trying numbers.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.core.generic import error_messages
from gridcheck.core.roles import MANAGE_CONTRACTS, MANAGE_SERVICEDESK, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import UPLOAD_CSP, upload_response
from gridcheck.hazards.selectors import portal_customer_for
from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.choices import ComplaintStatus, ConsultationStatus, LeadStatus, TimeLimit
from gridcheck.servicedesk.forms import (
    AnnouncementForm,
    AnswerForm,
    AskForm,
    ComplaintCloseForm,
    ComplaintEnterForm,
    ComplaintForm,
    FeedbackForm,
    GuidanceForm,
    PublishForm,
    RateForm,
    ReplyForm,
    ThreadForm,
    TrainingForm,
    VersionForm,
)
from gridcheck.servicedesk.models import Attendance, QuizResult, ReadReceipt

PAGE_SIZE = 50


def _form_errors(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    for message in error.messages:
        form.add_error(None, message)


# --- staff side ------------------------------------------------------------------------------------


class StaffMixin(LoginRequiredMixin):
    """Staff pages: ``view_servicedesk`` (the middleware checked it already; a portal login is refused)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_staff_reader(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


class ConsultationListView(StaffMixin, TemplateView):
    """The staff queue: questions with their time-limit status (waiting, overdue, due soon, answered)."""

    template_name = "servicedesk/consultation_list.html"
    VIEWS = ("open", "overdue", "due_soon", "answered", "all")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        view = self.request.GET.get("view", "open")
        view = view if view in self.VIEWS else "open"
        now = timezone.now()
        page = _page(
            self.request, selectors.queue_filter(selectors.consultations_for(self.request.user), view, now)
        )
        rows = [(c, selectors.time_limit(c, now)) for c in page]
        ctx.update(
            view=view,
            page=page,
            rows=rows,
            counts=selectors.queue_counts(self.request.user, now),
            labels=dict(TimeLimit.choices),
        )
        return ctx


class ConsultationDetailView(StaffMixin, TemplateView):
    """A question with its photos and history; the answer form (``manage_servicedesk``) and publishing."""

    template_name = "servicedesk/consultation_detail.html"

    def get_object(self):
        return get_object_or_404(selectors.consultations_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        consultation = kwargs.get("object") or self.get_object()
        may_manage = has_capability(self.request.user, MANAGE_SERVICEDESK)
        ctx.update(
            object=consultation,
            photos=consultation.photos.all(),
            events=consultation.events.select_related("actor"),
            time_limit=dict(TimeLimit.choices)[selectors.time_limit(consultation)],
            can_answer=may_manage and consultation.status == ConsultationStatus.ASKED,
            can_publish=may_manage
            and consultation.status != ConsultationStatus.ASKED
            and not hasattr(consultation, "article"),
            form=kwargs.get("form") or AnswerForm(),
            publish_form=PublishForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        consultation = self.get_object()
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_answer(
                    consultation=consultation, user=request.user, answer=form.cleaned_data["answer"]
                )
                messages.success(request, _("The answer is sent to the electrician."))
                return redirect("servicedesk:consultation_detail", pk=consultation.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=consultation, form=form), status=400)


class ConsultationPublishView(StaffMixin, View):
    """Publish an answered question to the knowledge base, anonymised."""

    http_method_names = ["post"]

    def post(self, request, pk):
        consultation = get_object_or_404(selectors.consultations_for(request.user), pk=pk)
        form = PublishForm(request.POST)
        form.is_valid()
        try:
            services.knowledge_article_publish(
                consultation=consultation, user=request.user, **form.cleaned_data
            )
            messages.success(request, _("Published to the knowledge base, anonymised."))
        except PermissionDenied:
            raise
        except ValidationError as error:
            error_messages(request, error)
        return redirect("servicedesk:consultation_detail", pk=consultation.pk)


class DashboardView(StaffMixin, TemplateView):
    """Answered in time and satisfaction per month (ECharts, drawn from JSON: no HTML from data)."""

    template_name = "servicedesk/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        figures = selectors.monthly_figures(self.request.user)
        ctx.update(
            figures=figures,
            counts=selectors.queue_counts(self.request.user),
            chart_data={
                "months": [f["month"] for f in figures],
                "asked": [f["asked"] for f in figures],
                "in_time": [f["in_time_percent"] for f in figures],
                "rating": [f["rating"] for f in figures],
                "labels": {
                    "asked": _("Questions asked"),
                    "in_time": _("Answered in time [%]"),
                    "rating": _("Satisfaction [1–5]"),
                },
            },
        )
        return ctx


class KnowledgeListView(StaffMixin, TemplateView):
    template_name = "servicedesk/knowledge_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = _page(self.request, selectors.articles_for(self.request.user))
        return ctx


class PhotoView(LoginRequiredMixin, View):
    """A consultation photo, only to those who may see its consultation (photos are not public media)."""

    def get(self, request, pk):
        photo = get_object_or_404(selectors.photos_for(request.user), pk=pk)
        name = photo.image.name.rsplit("/", 1)[-1]
        return upload_response(
            photo.image, content_type=photo.content_type, download_name=name, inline_image=True
        )


class ComplaintListView(StaffMixin, TemplateView):
    """Complaints of the user's scope, never one about the user."""

    template_name = "servicedesk/complaint_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        queryset = selectors.complaints_for(self.request.user)
        if status in ComplaintStatus.values:
            queryset = queryset.filter(status=status)
        ctx.update(
            page=_page(self.request, queryset),
            status=status,
            statuses=ComplaintStatus.choices,
            now=timezone.now(),
            can_enter=has_capability(self.request.user, MANAGE_SERVICEDESK),
        )
        return ctx


class ComplaintEnterView(StaffMixin, TemplateView):
    """Enter a complaint taken by the hotline, WeChat or Weibo."""

    template_name = "servicedesk/complaint_enter.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_capability(request.user, MANAGE_SERVICEDESK):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or ComplaintEnterForm()
        return ctx

    def post(self, request, *args, **kwargs):
        form = ComplaintEnterForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            customer = None
            if data.pop("customer"):
                customer = scope_queryset(
                    Customer.objects.filter(account_number=form.cleaned_data["customer"].strip()),
                    request.user,
                ).first()
                if customer is None:
                    form.add_error("customer", _("No such customer in your scope."))
            about = data.pop("about_staff").strip()
            about_staff = None
            if about:
                about_staff = scope_queryset(
                    get_user_model().objects.filter(username=about, is_active=True), request.user
                ).first()
                if about_staff is None:
                    form.add_error("about_staff", _("No such member of staff at your station."))
            if not form.errors:
                try:
                    complaint = services.complaint_enter(
                        user=request.user, customer=customer, about_staff=about_staff, **data
                    )
                    messages.success(request, _("The complaint is registered."))
                    return redirect("servicedesk:complaint_detail", pk=complaint.pk)
                except (PermissionDenied, ValidationError) as error:
                    _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ComplaintDetailView(StaffMixin, TemplateView):
    """A complaint, its answer form and its closing (never for the person it is about: a 404)."""

    template_name = "servicedesk/complaint_detail.html"

    def get_object(self):
        return get_object_or_404(selectors.complaints_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        complaint = kwargs.get("object") or self.get_object()
        may = has_capability(self.request.user, MANAGE_SERVICEDESK)
        ctx.update(
            object=complaint,
            events=complaint.events.select_related("actor"),
            overdue=complaint.status == ComplaintStatus.RECEIVED and complaint.due_at < timezone.now(),
            can_answer=may and complaint.status == ComplaintStatus.RECEIVED,
            can_close=may and complaint.status == ComplaintStatus.ANSWERED,
            form=kwargs.get("form") or AnswerForm(),
            close_form=ComplaintCloseForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        complaint = self.get_object()
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_answer(
                    complaint=complaint, user=request.user, answer=form.cleaned_data["answer"]
                )
                messages.success(request, _("The answer is recorded."))
                return redirect("servicedesk:complaint_detail", pk=complaint.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=complaint, form=form), status=400)


class ComplaintCloseView(StaffMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        complaint = get_object_or_404(selectors.complaints_for(request.user), pk=pk)
        form = ComplaintCloseForm(request.POST)
        form.is_valid()
        try:
            services.complaint_close(
                complaint=complaint, user=request.user, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("The complaint is closed."))
        except PermissionDenied:
            raise
        except ValidationError as error:
            error_messages(request, error)
        return redirect("servicedesk:complaint_detail", pk=complaint.pk)


class LeadListView(StaffMixin, TemplateView):
    """Business feedback of the customers (expand, add load, close) as leads for the marketing staff."""

    template_name = "servicedesk/lead_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page=_page(self.request, selectors.leads_for(self.request.user)),
            statuses=LeadStatus.choices,
            can_follow=has_capability(self.request.user, MANAGE_CONTRACTS),
        )
        return ctx


class LeadFollowUpView(StaffMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        lead = get_object_or_404(selectors.leads_for(request.user), pk=pk)
        try:
            services.business_lead_follow_up(
                lead=lead,
                user=request.user,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("The lead is updated."))
        except PermissionDenied:
            raise
        except ValidationError as error:
            error_messages(request, error)
        return redirect("servicedesk:lead_list")


# --- the portal (a customer's electrician) ---------------------------------------------------------


class PortalMixin(LoginRequiredMixin):
    """Portal pages: only a customer's portal login, only its own customer."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.customer = portal_customer_for(request.user)
        if self.customer is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["customer"] = self.customer
        return ctx


class PortalHomeView(PortalMixin, TemplateView):
    """电工之家: my questions, my complaints, the buttons to ask, complain and tell the station of plans."""

    template_name = "servicedesk/portal/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            consultations=selectors.consultations_for(self.request.user)[:50],
            complaints=selectors.complaints_for(self.request.user)[:20],
        )
        return ctx


class PortalAskView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/ask.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or AskForm()
        return ctx

    def post(self, request, *args, **kwargs):
        form = AskForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                consultation = services.consultation_ask(user=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _("Your question is sent. The station answers by %(due)s.")
                    % {"due": timezone.localtime(consultation.due_at).strftime("%Y-%m-%d %H:%M")},
                )
                return redirect("servicedesk:portal_consultation", pk=consultation.pk)
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalConsultationView(PortalMixin, TemplateView):
    """One of my customer's questions: the answer, and the rating form for the asker."""

    template_name = "servicedesk/portal/consultation.html"

    def get_object(self):
        return get_object_or_404(selectors.consultations_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        consultation = kwargs.get("object") or self.get_object()
        ctx.update(
            object=consultation,
            photos=consultation.photos.all(),
            can_rate=consultation.status == ConsultationStatus.ANSWERED
            and consultation.asked_by_id == self.request.user.pk,
            form=kwargs.get("form") or RateForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        consultation = self.get_object()
        form = RateForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_rate(
                    consultation=consultation,
                    user=request.user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you for your rating."))
                return redirect("servicedesk:portal_consultation", pk=consultation.pk)
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=consultation, form=form), status=400)


class PortalKnowledgeView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/knowledge.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = _page(self.request, selectors.articles_for(self.request.user))
        return ctx


class PortalComplaintView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/complaint.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or ComplaintForm()
        return ctx

    def post(self, request, *args, **kwargs):
        form = ComplaintForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_submit(user=request.user, **form.cleaned_data)
                messages.success(request, _("Your complaint is registered; the station will answer it."))
                return redirect("servicedesk:portal")
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalFeedbackView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/feedback.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or FeedbackForm()
        return ctx

    def post(self, request, *args, **kwargs):
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.business_feedback_submit(user=request.user, **form.cleaned_data)
                messages.success(request, _("Thank you: the station's business desk will contact you."))
                return redirect("servicedesk:portal")
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- the guidance library --------------------------------------------------------------------------


class GuidanceListView(StaffMixin, TemplateView):
    """The station's guidance library (every audience) and, for those who manage it, a new document."""

    template_name = "servicedesk/guidance_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page=_page(self.request, selectors.documents_for(self.request.user).prefetch_related("versions")),
            can_manage=has_capability(self.request.user, MANAGE_SERVICEDESK) and self.request.user.station_id,
            form=kwargs.get("form") or GuidanceForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = GuidanceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.guidance_document_create(user=request.user, **form.cleaned_data)
                messages.success(request, _("The document is published."))
                return redirect("servicedesk:guidance_detail", pk=document.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class GuidanceDetailView(StaffMixin, TemplateView):
    """A document: its versions, who acknowledged the current one, and the form of a new version."""

    template_name = "servicedesk/guidance_detail.html"

    def get_object(self):
        return get_object_or_404(selectors.documents_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        document = kwargs.get("object") or self.get_object()
        ctx.update(
            object=document,
            versions=document.versions.select_related("published_by"),
            receipts=selectors.receipt_status(document) if document.must_acknowledge else None,
            can_manage=has_capability(self.request.user, MANAGE_SERVICEDESK),
            form=kwargs.get("form") or VersionForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        document = self.get_object()
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.guidance_version_publish(document=document, user=request.user, **form.cleaned_data)
                messages.success(request, _("The new version is published."))
                return redirect("servicedesk:guidance_detail", pk=document.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=document, form=form), status=400)


class GuidanceAttachmentView(LoginRequiredMixin, View):
    """A version's PDF, to staff of its scope and to the electricians it is meant for (an attachment)."""

    def get(self, request, pk):
        version = get_object_or_404(selectors.versions_for(request.user).exclude(attachment=""), pk=pk)
        return upload_response(
            version.attachment,
            content_type="application/pdf",
            download_name=version.attachment_name or "guidance.pdf",
        )


class PortalGuidanceView(PortalMixin, TemplateView):
    """The documents meant for my customer, and which still wait for my acknowledgement."""

    template_name = "servicedesk/portal/guidance.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        documents = list(selectors.documents_for(self.request.user).prefetch_related("versions"))
        acknowledged = set(
            ReadReceipt.objects.filter(user=self.request.user).values_list("version_id", flat=True)
        )
        rows = []
        for document in documents:
            version = max(document.versions.all(), key=lambda v: v.number, default=None)
            pending = document.must_acknowledge and version is not None and version.pk not in acknowledged
            rows.append({"document": document, "version": version, "pending": pending})
        ctx["rows"] = rows
        return ctx


class PortalGuidanceDetailView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/guidance_detail.html"

    def get_object(self):
        return get_object_or_404(selectors.documents_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        document = self.get_object()
        version = selectors.current_version(document)
        receipt = (
            ReadReceipt.objects.filter(version=version, user=self.request.user).first() if version else None
        )
        ctx.update(object=document, version=version, receipt=receipt)
        return ctx

    def post(self, request, *args, **kwargs):
        document = self.get_object()
        version = selectors.current_version(document)
        if version is None:
            raise Http404
        try:
            services.guidance_acknowledge(version=version, user=request.user)
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect("servicedesk:portal_guidance_detail", pk=document.pk)


# --- announcements ---------------------------------------------------------------------------------


class AnnouncementListView(StaffMixin, TemplateView):
    """Announcements of the user's scope and, for those who manage the desk, a new one."""

    template_name = "servicedesk/announcement_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page=_page(self.request, selectors.announcements_for(self.request.user)),
            can_manage=has_capability(self.request.user, MANAGE_SERVICEDESK),
            form=kwargs.get("form") or AnnouncementForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = AnnouncementForm(request.POST)
        if form.is_valid():
            try:
                announcement = services.announcement_publish(user=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _("Published; %(n)s e-mails and SMS queued in the outbox.")
                    % {"n": announcement.messages_queued},
                )
                return redirect("servicedesk:announcement_list")
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalAnnouncementView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/announcements.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = _page(self.request, selectors.announcements_for(self.request.user))
        return ctx


# --- trainings and drills --------------------------------------------------------------------------


class TrainingListView(StaffMixin, TemplateView):
    """Sessions of the user's scope with their attendance, and (for station staff who manage the desk) a
    new session."""

    template_name = "servicedesk/training_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        from django.db.models import Count

        sessions = (
            selectors.trainings_for(self.request.user)
            .annotate(
                n_invited=Count("invitations", distinct=True), n_present=Count("attendances", distinct=True)
            )
            .order_by("-starts_at", "-pk")
        )
        ctx.update(
            page=_page(self.request, sessions),
            can_manage=has_capability(self.request.user, MANAGE_SERVICEDESK) and self.request.user.station_id,
            form=kwargs.get("form") or TrainingForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = TrainingForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reach = data.pop("invite")
            try:
                customers = (
                    list(selectors.invitees(request.user.station_id, reach))
                    if request.user.station_id
                    else []
                )
                session = services.training_create(user=request.user, customers=customers, **data)
                messages.success(request, _("The session is created and the customers invited."))
                return redirect("servicedesk:training_detail", pk=session.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TrainingDetailView(StaffMixin, TemplateView):
    """A session: invitations, who signed in, quiz scores, and the QR code to show for signing in."""

    template_name = "servicedesk/training_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = get_object_or_404(selectors.trainings_for(self.request.user), pk=self.kwargs["pk"])
        ctx.update(
            object=session,
            summary=selectors.training_summary(session),
            questions=session.questions.all(),
            can_manage=has_capability(self.request.user, MANAGE_SERVICEDESK),
        )
        return ctx


class TrainingQrView(StaffMixin, View):
    """The session's QR code (SVG): a signed link to its sign-in page, fresh at each showing."""

    def get(self, request, pk):
        import qrcode
        import qrcode.image.svg

        session = get_object_or_404(selectors.trainings_for(request.user), pk=pk)
        if not has_capability(request.user, MANAGE_SERVICEDESK):
            raise PermissionDenied
        link = request.build_absolute_uri(
            reverse("servicedesk:portal_training_sign", args=[session.pk])
            + "?t="
            + services.training_token(session)
        )
        svg = qrcode.make(
            link, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2
        ).to_string()
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = UPLOAD_CSP
        response["Cache-Control"] = "no-store"
        return response


class TrainingMaterialView(LoginRequiredMixin, View):
    """A session's material (PDF), to staff of its scope and to the invited customers' electricians."""

    def get(self, request, pk):
        session = get_object_or_404(selectors.trainings_for(request.user).exclude(material=""), pk=pk)
        return upload_response(
            session.material,
            content_type="application/pdf",
            download_name=session.material_name or "material.pdf",
        )


class PortalTrainingsView(PortalMixin, TemplateView):
    """The sessions my customer is invited to, and the drills registered for it under hazards."""

    template_name = "servicedesk/portal/trainings.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        signed = set(Attendance.objects.filter(user=self.request.user).values_list("session_id", flat=True))
        ctx.update(
            sessions=selectors.trainings_for(self.request.user)[:50],
            signed=signed,
            drills=selectors.drills_of(self.customer)[:20],
        )
        return ctx


class PortalTrainingView(PortalMixin, TemplateView):
    """A session: its material and quiz (POST answers the quiz)."""

    template_name = "servicedesk/portal/training.html"

    def get_object(self):
        return get_object_or_404(selectors.trainings_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_object()
        ctx.update(
            object=session,
            questions=session.questions.all(),
            attendance=Attendance.objects.filter(session=session, user=self.request.user).first(),
            result=QuizResult.objects.filter(session=session, user=self.request.user).first(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        session = self.get_object()
        answers = {key[2:]: value for key, value in request.POST.items() if key.startswith("q_")}
        try:
            result = services.quiz_submit(session=session, user=request.user, answers=answers)
            messages.success(
                request, _("Your score: %(s)s of %(t)s.") % {"s": result.score, "t": result.total}
            )
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect("servicedesk:portal_training", pk=session.pk)


class PortalTrainingSignView(PortalMixin, TemplateView):
    """Where the session's QR code leads: the electrician confirms their attendance (POST)."""

    template_name = "servicedesk/portal/training_sign.html"

    def get_object(self):
        return get_object_or_404(selectors.trainings_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_object()
        ctx.update(
            object=session,
            token=self.request.GET.get("t", ""),
            attendance=Attendance.objects.filter(session=session, user=self.request.user).first(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        session = self.get_object()
        try:
            services.attendance_sign(session=session, user=request.user, token=request.POST.get("t", ""))
            messages.success(request, _("Your attendance is signed."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect("servicedesk:portal_training", pk=session.pk)


# --- the technical forum ---------------------------------------------------------------------------


class ForumListView(StaffMixin, TemplateView):
    template_name = "servicedesk/forum_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = _page(self.request, selectors.threads_for(self.request.user))
        return ctx


class ForumThreadView(StaffMixin, TemplateView):
    """A thread with every post (hidden ones marked), the reply form (official for those who handle the
    desk) and the moderation buttons."""

    template_name = "servicedesk/forum_thread.html"

    def get_object(self):
        return get_object_or_404(selectors.threads_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        thread = kwargs.get("object") or self.get_object()
        ctx.update(
            object=thread,
            posts=selectors.posts_of(thread, self.request.user),
            can_moderate=has_capability(self.request.user, MANAGE_SERVICEDESK),
            form=kwargs.get("form") or ReplyForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        thread = self.get_object()
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.forum_reply(thread=thread, user=request.user, **form.cleaned_data)
                return redirect("servicedesk:forum_thread", pk=thread.pk)
            except PermissionDenied:
                raise
            except ValidationError as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=thread, form=form), status=400)


class ForumModerateView(StaffMixin, View):
    """Hide or show a thread or one of its posts, lock or unlock the thread."""

    http_method_names = ["post"]

    def post(self, request, pk):
        thread = get_object_or_404(selectors.threads_for(request.user), pk=pk)
        post = None
        if request.POST.get("post"):
            post = get_object_or_404(thread.posts.all(), pk=request.POST["post"])
        try:
            services.forum_moderate(
                user=request.user,
                thread=None if post else thread,
                post=post,
                action=request.POST.get("action", ""),
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            error_messages(request, error)
        return redirect("servicedesk:forum_thread", pk=thread.pk)


class PortalForumView(PortalMixin, TemplateView):
    """The station's technical forum for its electricians: threads, and a new one."""

    template_name = "servicedesk/portal/forum.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page=_page(self.request, selectors.threads_for(self.request.user)),
            form=kwargs.get("form") or ThreadForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = ThreadForm(request.POST)
        if form.is_valid():
            try:
                thread = services.forum_thread_start(user=request.user, **form.cleaned_data)
                return redirect("servicedesk:portal_forum_thread", pk=thread.pk)
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalForumThreadView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/forum_thread.html"

    def get_object(self):
        return get_object_or_404(selectors.threads_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        thread = kwargs.get("object") or self.get_object()
        ctx.update(
            object=thread,
            posts=selectors.posts_of(thread, self.request.user),
            form=kwargs.get("form") or ReplyForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        thread = self.get_object()
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.forum_reply(thread=thread, user=request.user, text=form.cleaned_data["text"])
                return redirect("servicedesk:portal_forum_thread", pk=thread.pk)
            except (PermissionDenied, ValidationError) as error:
                _form_errors(form, error)
        return self.render_to_response(self.get_context_data(object=thread, form=form), status=400)
