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
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer
from gridcheck.core.generic import ScopedListView, error_messages, form_submit, history_entries
from gridcheck.core.roles import MANAGE_CONTRACTS, MANAGE_SERVICEDESK, VIEW_SERVICEDESK, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import UPLOAD_CSP, upload_response
from gridcheck.hazards.selectors import portal_customer_for
from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.choices import (
    CampaignStatus,
    ComplaintStatus,
    ConsultationStatus,
    LeadStatus,
    TimeLimit,
    TypicalCaseStatus,
)
from gridcheck.servicedesk.filtersets import PublicityCampaignFilterSet
from gridcheck.servicedesk.forms import (
    AnnouncementForm,
    AnswerForm,
    AskForm,
    CampaignForm,
    ComplaintCloseForm,
    ComplaintEnterForm,
    ComplaintForm,
    FeedbackForm,
    GuidanceForm,
    PublishForm,
    RateForm,
    ReasonForm,
    ReplyForm,
    ThreadForm,
    TrainingForm,
    TypicalCaseForm,
    TypicalCasePrepareForm,
    TypicalPublishForm,
    VersionForm,
)
from gridcheck.servicedesk.models import Attendance, PublicityCampaign, QuizResult, ReadReceipt
from gridcheck.servicedesk.tables import PublicityCampaignTable

PAGE_SIZE = 50


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
        if form_submit(
            form,
            lambda data: services.consultation_answer(
                consultation=consultation, user=request.user, answer=data["answer"]
            ),
        ):
            messages.success(request, _("The answer is sent to the electrician."))
            return redirect("servicedesk:consultation_detail", pk=consultation.pk)
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
                complaint = form_submit(
                    form,
                    lambda _data: services.complaint_enter(
                        user=request.user, customer=customer, about_staff=about_staff, **data
                    ),
                    denied_on_form=True,
                )
                if complaint:
                    messages.success(request, _("The complaint is registered."))
                    return redirect("servicedesk:complaint_detail", pk=complaint.pk)
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
        if form_submit(
            form,
            lambda data: services.complaint_answer(
                complaint=complaint, user=request.user, answer=data["answer"]
            ),
        ):
            messages.success(request, _("The answer is recorded."))
            return redirect("servicedesk:complaint_detail", pk=complaint.pk)
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
        consultation = form_submit(
            form, lambda data: services.consultation_ask(user=request.user, **data), denied_on_form=True
        )
        if consultation:
            messages.success(
                request,
                _("Your question is sent. The station answers by %(due)s.")
                % {"due": timezone.localtime(consultation.due_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("servicedesk:portal_consultation", pk=consultation.pk)
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
        if form_submit(
            form,
            lambda data: services.consultation_rate(consultation=consultation, user=request.user, **data),
            denied_on_form=True,
        ):
            messages.success(request, _("Thank you for your rating."))
            return redirect("servicedesk:portal_consultation", pk=consultation.pk)
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
        if form_submit(
            form, lambda data: services.complaint_submit(user=request.user, **data), denied_on_form=True
        ):
            messages.success(request, _("Your complaint is registered; the station will answer it."))
            return redirect("servicedesk:portal")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalFeedbackView(PortalMixin, TemplateView):
    template_name = "servicedesk/portal/feedback.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or FeedbackForm()
        return ctx

    def post(self, request, *args, **kwargs):
        form = FeedbackForm(request.POST)
        if form_submit(
            form,
            lambda data: services.business_feedback_submit(user=request.user, **data),
            denied_on_form=True,
        ):
            messages.success(request, _("Thank you: the station's business desk will contact you."))
            return redirect("servicedesk:portal")
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
        document = form_submit(
            form, lambda data: services.guidance_document_create(user=request.user, **data)
        )
        if document:
            messages.success(request, _("The document is published."))
            return redirect("servicedesk:guidance_detail", pk=document.pk)
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
        if form_submit(
            form,
            lambda data: services.guidance_version_publish(document=document, user=request.user, **data),
        ):
            messages.success(request, _("The new version is published."))
            return redirect("servicedesk:guidance_detail", pk=document.pk)
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
        announcement = form_submit(
            form, lambda data: services.announcement_publish(user=request.user, **data)
        )
        if announcement:
            messages.success(
                request,
                _("Published; %(n)s e-mails and SMS queued in the outbox.")
                % {"n": announcement.messages_queued},
            )
            return redirect("servicedesk:announcement_list")
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

        def create(data):
            data = dict(data)
            reach = data.pop("invite")
            station_id = request.user.station_id
            customers = list(selectors.invitees(station_id, reach)) if station_id else []
            return services.training_create(user=request.user, customers=customers, **data)

        session = form_submit(form, create)
        if session:
            messages.success(request, _("The session is created and the customers invited."))
            return redirect("servicedesk:training_detail", pk=session.pk)
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
        form = ReplyForm(request.POST, request.FILES)
        if form_submit(form, lambda data: services.forum_reply(thread=thread, user=request.user, **data)):
            return redirect("servicedesk:forum_thread", pk=thread.pk)
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
        form = ThreadForm(request.POST, request.FILES)
        thread = form_submit(
            form, lambda data: services.forum_thread_start(user=request.user, **data), denied_on_form=True
        )
        if thread:
            return redirect("servicedesk:portal_forum_thread", pk=thread.pk)
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
        form = ReplyForm(request.POST, request.FILES)
        if form_submit(
            form,
            lambda data: services.forum_reply(
                thread=thread, user=request.user, text=data["text"], attachments=data["attachments"]
            ),
            denied_on_form=True,
        ):
            return redirect("servicedesk:portal_forum_thread", pk=thread.pk)
        return self.render_to_response(self.get_context_data(object=thread, form=form), status=400)


class ForumAttachmentView(LoginRequiredMixin, View):
    """A forum post's attachment, to whoever reads its thread (a portal login: its station's forum), as an
    attachment; a hidden post's or thread's is not served (a 404)."""

    def get(self, request, pk):
        attachment = get_object_or_404(selectors.attachments_for(request.user), pk=pk)
        return upload_response(
            attachment.file,
            content_type=attachment.content_type,
            download_name=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        )


# --- anti-theft publicity campaigns ----------------------------------------------------------------


def _station_staff(user):
    from gridcheck.users.models import User

    if user.station_id is None:
        return User.objects.none()
    return User.objects.filter(station_id=user.station_id, is_active=True).order_by("username")


class CampaignListView(ScopedListView):
    """Anti-theft publicity campaigns of the user's scope (filters, XLSX export)."""

    model = PublicityCampaign
    filterset_class = PublicityCampaignFilterSet
    table_class = PublicityCampaignTable
    title = gettext_lazy("Anti-theft publicity campaigns")
    search_placeholder = gettext_lazy("Place")
    template_name = "servicedesk/campaign_list.html"
    required_capability = VIEW_SERVICEDESK

    def get_base_queryset(self):
        return selectors.campaigns_for(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = (
            has_capability(self.request.user, MANAGE_SERVICEDESK) and self.request.user.station_id
        )
        return ctx


class CampaignFormView(StaffMixin, TemplateView):
    """A new campaign (``pk`` absent) or the change of one: the form, photos added to it."""

    template_name = "servicedesk/campaign_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_capability(request.user, MANAGE_SERVICEDESK):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(selectors.campaigns_for(self.request.user), pk=self.kwargs["pk"])

    def _form(self, campaign, data=None, files=None):
        staff = _station_staff(self.request.user)
        if campaign is not None:
            from gridcheck.users.models import User

            staff = User.objects.filter(station_id=campaign.station_id, is_active=True).order_by("username")
            initial = {
                name: getattr(campaign, name)
                for name in services.CAMPAIGN_FIELDS
                if name not in ("materials", "held_at")
            }
            initial["held_at"] = timezone.localtime(campaign.held_at).strftime("%Y-%m-%dT%H:%M")
            initial["materials"] = services.materials_lines(campaign.materials)
            return CampaignForm(data, files, staff=staff, initial=initial)
        return CampaignForm(data, files, staff=staff, initial={"organiser": self.request.user.pk})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = self.get_object()
        ctx.update(object=campaign, form=kwargs.get("form") or self._form(campaign))
        return ctx

    def post(self, request, *args, **kwargs):
        campaign = self.get_object()
        form = self._form(campaign, request.POST, request.FILES)

        def save(data):
            data = dict(data)
            photos = data.pop("photos")
            if campaign is None:
                return services.campaign_create(user=request.user, photos=photos, **data)
            return services.campaign_update(campaign=campaign, user=request.user, photos=photos, **data)

        saved = form_submit(form, save)
        if saved:
            messages.success(request, _("The campaign is saved."))
            return redirect("servicedesk:campaign_detail", pk=saved.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CampaignDetailView(StaffMixin, TemplateView):
    """A campaign: where, when, materials, reach, photos, its log and history, its steps."""

    template_name = "servicedesk/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(selectors.campaigns_for(self.request.user), pk=self.kwargs["pk"])
        may = has_capability(self.request.user, MANAGE_SERVICEDESK)
        ctx.update(
            object=campaign,
            photos=campaign.photos.all(),
            events=campaign.events.select_related("actor"),
            history=history_entries(campaign),
            can_edit=may and campaign.status != CampaignStatus.CANCELLED,
            can_step=may and campaign.status == CampaignStatus.PLANNED,
            reason_form=ReasonForm(),
        )
        return ctx


class CampaignStepView(StaffMixin, View):
    """Record a planned campaign as held, or cancel it (with a reason)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(selectors.campaigns_for(request.user), pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "hold":
                services.campaign_hold(campaign=campaign, user=request.user)
                messages.success(request, _("The campaign is recorded as held."))
            elif action == "cancel":
                services.campaign_cancel(
                    campaign=campaign, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("The campaign is cancelled."))
            else:
                messages.error(request, _("Unknown step."))
        except PermissionDenied:
            raise
        except ValidationError as error:
            error_messages(request, error)
        return redirect("servicedesk:campaign_detail", pk=campaign.pk)


class CampaignPhotoView(StaffMixin, View):
    """A campaign's photo, to staff of its scope."""

    def get(self, request, pk):
        photo = get_object_or_404(selectors.campaign_photos_for(request.user), pk=pk)
        name = photo.image.name.rsplit("/", 1)[-1]
        return upload_response(
            photo.image, content_type=photo.content_type, download_name=name, inline_image=True
        )


# --- typical cases ---------------------------------------------------------------------------------


class TypicalCaseListView(StaffMixin, TemplateView):
    """Typical cases of the user's scope and, for those who handle the desk, a new draft from a closed
    case."""

    template_name = "servicedesk/typical_case_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        may = has_capability(self.request.user, MANAGE_SERVICEDESK)
        ctx.update(
            page=_page(self.request, selectors.typical_cases_for(self.request.user)),
            can_manage=may,
            form=kwargs.get("form")
            or (TypicalCasePrepareForm(cases=services.closed_cases_for(self.request.user)) if may else None),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not has_capability(request.user, MANAGE_SERVICEDESK):
            raise PermissionDenied
        form = TypicalCasePrepareForm(request.POST, cases=services.closed_cases_for(request.user))
        typical = form_submit(
            form, lambda data: services.typical_case_prepare(case=data["case"], user=request.user)
        )
        if typical:
            messages.success(
                request, _("The draft is ready, personal data removed: another person approves it.")
            )
            return redirect("servicedesk:typical_case_detail", pk=typical.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TypicalCaseDetailView(StaffMixin, TemplateView):
    """A typical case: its anonymised text, the draft's edit form (its preparer and others who handle the
    desk), publication by a second person, withdrawal."""

    template_name = "servicedesk/typical_case_detail.html"

    def get_object(self):
        return get_object_or_404(selectors.typical_cases_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        typical = kwargs.get("object") or self.get_object()
        may = has_capability(self.request.user, MANAGE_SERVICEDESK)
        draft = typical.status == TypicalCaseStatus.DRAFT
        ctx.update(
            object=typical,
            events=typical.events.select_related("actor"),
            can_edit=may and draft,
            can_publish=may and draft and typical.prepared_by_id != self.request.user.pk,
            is_preparer=typical.prepared_by_id == self.request.user.pk,
            can_withdraw=may and typical.status != TypicalCaseStatus.WITHDRAWN,
            form=kwargs.get("form")
            or TypicalCaseForm(initial={name: getattr(typical, name) for name in services.TYPICAL_TEXTS}),
            publish_form=TypicalPublishForm(),
            reason_form=ReasonForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        typical = self.get_object()
        form = TypicalCaseForm(request.POST)
        if form_submit(
            form, lambda data: services.typical_case_edit(typical_case=typical, user=request.user, **data)
        ):
            messages.success(request, _("The draft is saved, personal data removed."))
            return redirect("servicedesk:typical_case_detail", pk=typical.pk)
        return self.render_to_response(self.get_context_data(object=typical, form=form), status=400)


class TypicalCaseStepView(StaffMixin, View):
    """Publish a draft (a second person) or withdraw a typical case."""

    http_method_names = ["post"]

    def post(self, request, pk):
        typical = get_object_or_404(selectors.typical_cases_for(request.user), pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                services.typical_case_publish(
                    typical_case=typical, user=request.user, announce=request.POST.get("announce") == "on"
                )
                messages.success(request, _("The typical case is published to the electricians."))
            elif action == "withdraw":
                services.typical_case_withdraw(
                    typical_case=typical, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("The typical case is withdrawn."))
            else:
                messages.error(request, _("Unknown step."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect("servicedesk:typical_case_detail", pk=typical.pk)


class PortalTypicalCasesView(PortalMixin, TemplateView):
    """The station's published typical cases (anti-theft publicity), for its electricians."""

    template_name = "servicedesk/portal/typical_cases.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = _page(self.request, selectors.typical_cases_for(self.request.user))
        return ctx
