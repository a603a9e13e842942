"""The visit pages: the phone page of a visit (a draft kept in the browser), a visit, its files."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridcheck.core.generic import CapabilityRequiredMixin, history_entries
from gridcheck.core.uploads import upload_response
from gridcheck.inspections import selectors, services
from gridcheck.inspections.checklists import checklist_for
from gridcheck.inspections.choices import ChecklistResult, FindingKind, WorkOrderStatus
from gridcheck.inspections.models import Visit, VisitPhoto
from gridcheck.inspections.views.common import FieldWorkRequiredMixin, scoped


class VisitView(FieldWorkRequiredMixin, TemplateView):
    """The phone page of a visit: checklist, findings, photos, signatures; a draft kept in the browser.

    GET shows the page; POST takes the draft as JSON (``services.visit_submit``) and answers JSON:
    ``{"ok": true, "url": ...}`` or ``{"ok": false, "errors": [...]}`` with status 400.
    """

    template_name = "inspections/visit.html"

    def order(self):
        return get_object_or_404(selectors.work_orders_for(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.order()
        inspectors = [a.inspector for a in order.assignments.select_related("inspector").order_by("pk")]
        from django.conf import settings

        from gridcheck.hazards.choices import HazardSeverity

        ctx.update(
            object=order,
            customer=order.customer,
            meters=[m for p in order.customer.metering_points.all() for m in p.meters.all()],
            checklist=checklist_for(order.customer),
            results=ChecklistResult.choices,
            finding_kinds=FindingKind.choices,
            severities=HazardSeverity.choices,
            inspectors=inspectors[:2],
            open_for_visit=order.status in (WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS),
            photo_max_bytes=settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES,
            photo_max_mb=round(settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES / 1024 / 1024, 1),
        )
        return ctx

    def post(self, request, pk):
        order = self.order()
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            return JsonResponse({"ok": False, "errors": [_("The draft could not be read.")]}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"ok": False, "errors": [_("The draft could not be read.")]}, status=400)
        try:
            visit = services.visit_submit(work_order=order, data=data, user=request.user)
        except ValidationError as error:
            return JsonResponse({"ok": False, "errors": error.messages}, status=400)
        messages.success(request, _("Visit submitted."))
        return JsonResponse({"ok": True, "url": reverse("inspections:visit_detail", args=[visit.pk])})


class VisitDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "inspections/visit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visit = get_object_or_404(
            scoped(Visit, self.request.user).select_related(
                "work_order__customer", "inspector1", "inspector2"
            ),
            pk=kwargs["pk"],
        )
        labels = {item["key"]: item["label"] for item in checklist_for(visit.work_order.customer)}
        ctx.update(
            object=visit,
            checklist=[
                (labels.get(k, k), ChecklistResult(v["result"]).label, v.get("result"), v.get("note", ""))
                for k, v in visit.checklist.items()
            ],
            findings=[(FindingKind(f["kind"]).label, f) for f in visit.findings],
            photos=visit.photos.all(),
            history=history_entries(visit),
        )
        return ctx


class VisitFileView(CapabilityRequiredMixin, View):
    """A visit photo or signature, served only to those who may see the visit (never public media)."""

    def get(self, request, pk, what):
        if what == "photo":
            photo = get_object_or_404(scoped(VisitPhoto, request.user), pk=pk)
            # Evidence is kept as taken (its SHA-256 is on the record): served as an attachment, never inline.
            return upload_response(
                photo.image,
                content_type=photo.content_type,
                download_name=photo.image.name.rsplit("/", 1)[-1],
            )
        visit = get_object_or_404(scoped(Visit, request.user), pk=pk)
        field = {
            "customer": "customer_signature",
            "inspector1": "inspector1_signature",
            "inspector2": "inspector2_signature",
        }.get(what)
        if field is None or not getattr(visit, field):
            raise Http404
        return upload_response(getattr(visit, field), content_type="image/png", download_name=f"{what}.png")
