"""Viewsets of the service desk API, mounted at /api/servicedesk/.

Staff with ``view_servicedesk`` read their scope; a customer's electrician (portal login) reads only its
own customer's consultations and complaints and its station's knowledge base; anything else is a 404.
Actions (``POST``): ``consultations/`` (ask, portal), ``consultations/{id}/answer/`` and ``publish/``
(staff), ``rate/`` (the asker), ``complaints/{id}/answer/`` and ``close/`` (staff, never the person
complained about), through the services; a refusal is a 403 (rights, scope) or a 400 (state) with its
message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from gridcheck.core.access import may_open
from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.api import serializers as s


class Access(BasePermission):
    """Whoever the access registry lets open the URL (staff readers, and portal logins for their own)."""

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        return bool(
            request.user and request.user.is_authenticated and match and may_open(request.user, match)
        )


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


def _body(request, serializer_class) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class ConsultationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Consultations (filters: ``status``, ``topic``); the detail carries the events."""

    permission_classes = [Access]
    filterset_fields = ["status", "topic"]

    def get_queryset(self):
        return (
            selectors.consultations_for(self.request.user)
            .prefetch_related("photos")
            .order_by("-asked_at", "-pk")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return s.AskSerializer
        return s.ConsultationSerializer if self.action == "list" else s.ConsultationDetailSerializer

    def _answer(self, consultation, code=status.HTTP_200_OK) -> Response:
        return Response(
            s.ConsultationDetailSerializer(self.get_queryset().get(pk=consultation.pk)).data, status=code
        )

    @extend_schema(request=s.AskSerializer, responses={201: s.ConsultationDetailSerializer})
    def create(self, request, *args, **kwargs):
        consultation = _service(
            services.consultation_ask, user=request.user, **_body(request, s.AskSerializer)
        )
        return self._answer(consultation, status.HTTP_201_CREATED)

    @extend_schema(request=s.AnswerSerializer, responses={200: s.ConsultationDetailSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.AnswerSerializer)
    def answer(self, request, pk=None):
        data = _body(request, s.AnswerSerializer)
        consultation = _service(
            services.consultation_answer, consultation=self.get_object(), user=request.user, **data
        )
        return self._answer(consultation)

    @extend_schema(request=s.RateSerializer, responses={200: s.ConsultationDetailSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.RateSerializer)
    def rate(self, request, pk=None):
        data = _body(request, s.RateSerializer)
        consultation = _service(
            services.consultation_rate, consultation=self.get_object(), user=request.user, **data
        )
        return self._answer(consultation)

    @extend_schema(request=s.PublishSerializer, responses={201: s.KnowledgeArticleSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.PublishSerializer)
    def publish(self, request, pk=None):
        data = _body(request, s.PublishSerializer)
        article = _service(
            services.knowledge_article_publish, consultation=self.get_object(), user=request.user, **data
        )
        return Response(s.KnowledgeArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class KnowledgeArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """The knowledge base: anonymised answers of the user's station (a portal login: its customer's)."""

    permission_classes = [Access]
    serializer_class = s.KnowledgeArticleSerializer
    filterset_fields = ["topic"]

    def get_queryset(self):
        return selectors.articles_for(self.request.user).order_by("-published_at", "-pk")


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Service complaints (filter: ``status``): never shown to the member of staff they are about."""

    permission_classes = [Access]
    serializer_class = s.ComplaintSerializer
    filterset_fields = ["status", "channel"]

    def get_queryset(self):
        return selectors.complaints_for(self.request.user).order_by("-received_at", "-pk")

    @extend_schema(request=s.AnswerSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.AnswerSerializer)
    def answer(self, request, pk=None):
        data = _body(request, s.AnswerSerializer)
        complaint = _service(
            services.complaint_answer, complaint=self.get_object(), user=request.user, **data
        )
        return Response(s.ComplaintSerializer(complaint).data)

    @extend_schema(request=s.ComplaintCloseSerializer, responses={200: s.ComplaintSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ComplaintCloseSerializer)
    def close(self, request, pk=None):
        data = _body(request, s.ComplaintCloseSerializer)
        complaint = _service(services.complaint_close, complaint=self.get_object(), user=request.user, **data)
        return Response(s.ComplaintSerializer(complaint).data)


class GuidanceDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The guidance library: staff their scope; a portal login the documents meant for its customer.
    ``acknowledge`` (POST, a portal login) records having read the current version."""

    permission_classes = [Access]
    serializer_class = s.GuidanceDocumentSerializer
    filterset_fields = ["audience"]

    def get_queryset(self):
        return selectors.documents_for(self.request.user).prefetch_related("versions").order_by("title", "pk")

    @extend_schema(request=None, responses={200: s.GuidanceDocumentSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        document = self.get_object()
        version = selectors.current_version(document)
        if version is None:
            raise ValidationError({"detail": ["No version is published."]})
        _service(services.guidance_acknowledge, version=version, user=request.user)
        return Response(s.GuidanceDocumentSerializer(document).data)


class PublicityCampaignViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Anti-theft publicity campaigns of the user's scope (staff; filters ``status``, ``kind``). ``POST``
    records one at the user's station, ``PATCH`` changes one, ``hold/`` and ``cancel/`` are its steps."""

    permission_classes = [Access]
    serializer_class = s.PublicityCampaignSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return (
            selectors.campaigns_for(self.request.user)
            .prefetch_related("photos", "events__actor")
            .order_by("-held_at", "-pk")
        )

    def _fields(self, partial: bool) -> dict:
        data = s.CampaignWriteSerializer(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "materials" in fields:
            fields["materials"] = "\n".join(f"{m['name']} | {m['quantity']}" for m in fields["materials"])
        if "organiser" in fields:
            from gridcheck.users.models import User

            organiser = User.objects.filter(username=fields["organiser"], is_active=True).first()
            if organiser is None:
                raise ValidationError({"organiser": ["No such login."]})
            fields["organiser"] = organiser
        return fields

    def _answer(self, campaign, code=status.HTTP_200_OK) -> Response:
        return Response(
            s.PublicityCampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data, status=code
        )

    @extend_schema(request=s.CampaignWriteSerializer, responses={201: s.PublicityCampaignSerializer})
    def create(self, request, *args, **kwargs):
        campaign = _service(services.campaign_create, user=request.user, **self._fields(partial=False))
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=s.CampaignWriteSerializer, responses={200: s.PublicityCampaignSerializer})
    def update(self, request, *args, **kwargs):
        partial = kwargs.get("partial", False)
        campaign = _service(
            services.campaign_update, campaign=self.get_object(), user=request.user, **self._fields(partial)
        )
        return self._answer(campaign)

    @extend_schema(request=None, responses={200: s.PublicityCampaignSerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._answer(_service(services.campaign_hold, campaign=self.get_object(), user=request.user))

    @extend_schema(request=s.ReasonSerializer, responses={200: s.PublicityCampaignSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ReasonSerializer)
    def cancel(self, request, pk=None):
        data = _body(request, s.ReasonSerializer)
        return self._answer(
            _service(services.campaign_cancel, campaign=self.get_object(), user=request.user, **data)
        )


class TypicalCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Typical cases: a portal login the published ones of its station; staff their scope (drafts too)."""

    permission_classes = [Access]
    serializer_class = s.TypicalCaseSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.typical_cases_for(self.request.user).order_by("-prepared_at", "-pk")


class AnnouncementViewSet(viewsets.ReadOnlyModelViewSet):
    """Announcements: staff their scope; a portal login those that reach its customer."""

    permission_classes = [Access]
    serializer_class = s.AnnouncementSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.announcements_for(self.request.user).order_by("-published_at", "-pk")


def register(router) -> None:
    router.register("consultations", ConsultationViewSet, basename="servicedesk-consultation")
    router.register("articles", KnowledgeArticleViewSet, basename="servicedesk-article")
    router.register("complaints", ComplaintViewSet, basename="servicedesk-complaint")
    router.register("guidance", GuidanceDocumentViewSet, basename="servicedesk-guidance")
    router.register("announcements", AnnouncementViewSet, basename="servicedesk-announcement")
    router.register("campaigns", PublicityCampaignViewSet, basename="servicedesk-campaign")
    router.register("typical-cases", TypicalCaseViewSet, basename="servicedesk-typical-case")
