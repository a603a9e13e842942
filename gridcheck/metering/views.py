"""Pages of the metering asset ledger (计量装置台账), mounted at /metering/.

Reading needs ``view_metering``; every form that changes something needs ``manage_metering`` and goes
through ``gridcheck.metering.services``, which check the scope again. Objects are looked up within the
user's scope (404 outside it). The meter change and the acceptance are phone forms (one column).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import MeteringPoint, Station
from gridcheck.core.generic import ScopedListView, ScopedPage, error_messages, history_entries
from gridcheck.core.roles import MANAGE_METERING, VIEW_METERING
from gridcheck.core.scoping import scope_queryset, scoped
from gridcheck.metering import forms as f
from gridcheck.metering import selectors, services
from gridcheck.metering.choices import AssetStatus, FaultOutcome, NoticeStatus
from gridcheck.metering.filtersets import (
    AcceptanceFilterSet,
    AssetFilterSet,
    DeviceTypeFilterSet,
    FaultFilterSet,
    MeterChangeFilterSet,
    NoticeFilterSet,
)
from gridcheck.metering.models import (
    Acceptance,
    Asset,
    AssetFault,
    DeviceType,
    MeterChange,
    RectificationNotice,
)
from gridcheck.metering.tables import (
    AcceptanceTable,
    AssetTable,
    DeviceTypeTable,
    FaultTable,
    MeterChangeTable,
    NoticeTable,
)
from gridcheck.seals.models import Seal
from gridcheck.users.models import User


class MeteringListView(ScopedListView):
    """A list of the ledger; its XLSX export is the table's columns (the floor's list export) unless the
    list is of assets (``metering_assets``: the import's headers, so that an export re-imports)."""

    required_capability = VIEW_METERING
    related: tuple[str, ...] = ()

    def get_base_queryset(self):
        return self.model._default_manager.select_related(*self.related)


def _staff(user):
    """The people a form may name as the second person: active staff of the user's station."""
    return (
        scoped(User, user)
        .filter(is_active=True, station__isnull=False)
        .exclude(pk=user.pk)
        .order_by("username")
    )


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


# --- assets ----------------------------------------------------------------------------------------


class AssetListView(MeteringListView):
    model = Asset
    filterset_class = AssetFilterSet
    table_class = AssetTable
    export_entity = "metering_assets"
    title = gettext_lazy("Metering asset ledger")
    search_placeholder = gettext_lazy("Asset number, metering point or serial number")
    template_name = "metering/asset_list.html"
    related = selectors.LEDGER_RELATED


class DueListView(AssetListView):
    """Installed assets due for verification / rotation within ``days`` (default: the rule), overdue
    first."""

    title = gettext_lazy("Verification and rotation due")
    template_name = "metering/due_list.html"

    def days(self) -> int:
        value = self.request.GET.get("days", "")
        return min(int(value), 3650) if value.isdigit() else selectors.reminder_days()

    def get_queryset(self):
        return selectors.assets_due(self.request.user, within_days=self.days())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["days"] = self.days()
        ctx["overdue"] = self.queryset.filter(due_on__lt=timezone.localdate()).count()
        return ctx


class ObsoleteListView(AssetListView):
    title = gettext_lazy("Assets of obsolete types (to replace)")

    def get_queryset(self):
        return selectors.assets_obsolete(self.request.user)


class AssetDetailView(ScopedPage, TemplateView):
    required_capability = VIEW_METERING
    template_name = "metering/asset_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        asset = self.scoped_object(
            Asset,
            queryset=Asset.objects.select_related(
                "device_type", "station", "metering_point__customer", "meter"
            ),
        )
        manage = selectors.can_manage(self.request.user)
        changes = MeterChange.objects.select_related("old_asset", "new_asset", "by", "second_person")
        ctx.update(
            object=asset,
            manage=manage,
            today=timezone.localdate(),
            events=asset.events.select_related("actor")[:50],
            history=history_entries(asset),
            faults=asset.faults.select_related("found_by"),
            changes=changes.filter(old_asset=asset) | changes.filter(new_asset=asset),
            acceptances=asset.acceptances.select_related("by", "second_person", "metering_point"),
            notices=asset.notices.all(),
        )
        if manage:
            status = asset.status
            ctx.update(
                verify_form=f.VerifyForm() if status != AssetStatus.SCRAPPED else None,
                fault_form=f.FaultForm() if status != AssetStatus.SCRAPPED else None,
                close_form=f.FaultCloseForm(),
                install_form=f.InstallForm() if status == AssetStatus.IN_STOCK else None,
                remove_form=f.RemoveForm() if status in (AssetStatus.INSTALLED, AssetStatus.FAULTY) else None,
                scrap_form=f.NoteForm()
                if status in (AssetStatus.IN_STOCK, AssetStatus.REMOVED, AssetStatus.FAULTY)
                else None,
                notice_form=f.NoticeIssueForm() if asset.metering_point_id else None,
                pending=FaultOutcome.PENDING,
            )
        return ctx


class AssetActionView(ScopedPage, View):
    """POST one step on an asset: ``verify``, ``fault``, ``fault-close``, ``install``, ``remove``,
    ``scrap``, ``notice``."""

    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING

    def post(self, request, pk, action):
        asset = self.scoped_object(Asset)
        user = request.user
        forms_by_action = {
            "verify": f.VerifyForm,
            "fault": f.FaultForm,
            "fault-close": f.FaultCloseForm,
            "install": f.InstallForm,
            "remove": f.RemoveForm,
            "scrap": f.NoteForm,
            "notice": f.NoticeIssueForm,
        }
        if action not in forms_by_action:
            raise Http404
        form = forms_by_action[action](request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(asset.get_absolute_url())
        data = form.cleaned_data
        try:
            if action == "verify":
                services.asset_verify(
                    asset=asset, user=user, verified_on=data["verified_on"], note=data["note"]
                )
            elif action == "fault":
                services.asset_fault_record(
                    asset=asset,
                    user=user,
                    found_on=data["found_on"],
                    kind=data["kind"],
                    description=data["description"],
                )
            elif action == "fault-close":
                fault = get_object_or_404(asset.faults, pk=request.POST.get("fault") or 0)
                services.asset_fault_close(fault=fault, user=user, outcome=data["outcome"], note=data["note"])
            elif action == "install":
                point = scoped(MeteringPoint, user).filter(code=data["metering_point"].strip()).first()
                if point is None:
                    raise ValidationError(_("No such metering point in your scope."))
                services.asset_install(
                    asset=asset, metering_point=point, user=user, installed_on=data["installed_on"]
                )
            elif action == "remove":
                services.asset_remove(
                    asset=asset,
                    user=user,
                    removed_on=data["removed_on"],
                    note=data["note"],
                    to_stock=data["to_stock"],
                )
            elif action == "scrap":
                services.asset_scrap(asset=asset, user=user, note=data["note"])
            else:
                if asset.metering_point is None:
                    raise ValidationError(_("Asset %(n)s is not installed.") % {"n": asset.asset_number})
                notice = services.notice_issue(
                    user=user,
                    metering_point=asset.metering_point,
                    asset=asset,
                    fault=asset.faults.filter(outcome=FaultOutcome.PENDING).first(),
                    problem=data["problem"],
                )
                messages.success(request, _("Rectification notice %(n)s issued.") % {"n": notice.number})
                return redirect(notice.get_absolute_url())
            messages.success(request, _("Saved."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(asset.get_absolute_url())


class AssetReceiveView(ScopedPage, View):
    """Receive a new asset into the station's stock (a county user names the station)."""

    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING
    template_name = "metering/asset_form.html"

    def _stations(self):
        return scoped(Station, self.request.user).order_by("code")

    def get(self, request):
        return render(
            request, self.template_name, {"form": f.AssetReceiveForm(), "stations": self._stations()}
        )

    def post(self, request):
        form = f.AssetReceiveForm(request.POST)
        station = request.user.station or self._stations().filter(pk=request.POST.get("station") or 0).first()
        if form.is_valid() and station is not None:
            try:
                asset = services.asset_receive(user=request.user, station=station, **form.cleaned_data)
                messages.success(request, _("Asset %(n)s received into stock.") % {"n": asset.asset_number})
                return redirect(asset.get_absolute_url())
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
        elif station is None:
            messages.error(request, _("Choose the station."))
        else:
            _form_errors(request, form)
        return render(request, self.template_name, {"form": form, "stations": self._stations()}, status=400)


# --- device types ----------------------------------------------------------------------------------


class DeviceTypeListView(MeteringListView):
    model = DeviceType
    filterset_class = DeviceTypeFilterSet
    table_class = DeviceTypeTable
    title = gettext_lazy("Device types")
    search_placeholder = gettext_lazy("Manufacturer or type")
    template_name = "metering/type_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if selectors.can_manage(self.request.user):
            ctx["type_form"] = f.DeviceTypeForm()
        return ctx


class DeviceTypeActionView(ScopedPage, View):
    """``POST types/new/`` adds a type; ``POST types/<pk>/obsolete/`` flags one obsolete."""

    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING

    def post(self, request, pk=None):
        try:
            if pk is None:
                form = f.DeviceTypeForm(request.POST)
                if form.is_valid():
                    services.device_type_create(user=request.user, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                else:
                    _form_errors(request, form)
            else:
                device_type = get_object_or_404(DeviceType, pk=pk)
                form = f.ObsoleteForm(request.POST)
                if form.is_valid():
                    services.device_type_obsolete(
                        device_type=device_type, user=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Saved."))
                else:
                    _form_errors(request, form)
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect("metering:type_list")


# --- faults, notices -------------------------------------------------------------------------------


class FaultListView(MeteringListView):
    model = AssetFault
    filterset_class = FaultFilterSet
    table_class = FaultTable
    title = gettext_lazy("Metering faults")
    search_placeholder = gettext_lazy("Asset number")
    related = ("asset", "found_by")


class NoticeListView(MeteringListView):
    model = RectificationNotice
    filterset_class = NoticeFilterSet
    table_class = NoticeTable
    title = gettext_lazy("Rectification notices")
    search_placeholder = gettext_lazy("Notice number or metering point")
    related = ("metering_point", "asset")


class NoticeDetailView(ScopedPage, TemplateView):
    required_capability = VIEW_METERING
    template_name = "metering/notice_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = self.scoped_object(
            RectificationNotice,
            queryset=RectificationNotice.objects.select_related(
                "metering_point__customer", "asset", "fault", "issued_by", "closed_by"
            ),
        )
        ctx.update(
            object=notice,
            overdue=notice.status == NoticeStatus.OPEN and notice.deadline < timezone.localdate(),
            history=history_entries(notice),
            close_form=f.NoticeCloseForm()
            if selectors.can_manage(self.request.user) and notice.status == NoticeStatus.OPEN
            else None,
        )
        return ctx


class NoticeCloseView(ScopedPage, View):
    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING

    def post(self, request, pk):
        notice = self.scoped_object(RectificationNotice)
        form = f.NoticeCloseForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            try:
                services.notice_close(notice=notice, user=request.user, outcome=form.cleaned_data["outcome"])
                messages.success(request, _("Saved."))
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
        return redirect(notice.get_absolute_url())


# --- meter changes and acceptances (phone forms) ---------------------------------------------------


class MeterChangeListView(MeteringListView):
    model = MeterChange
    filterset_class = MeterChangeFilterSet
    table_class = MeterChangeTable
    title = gettext_lazy("Meter changes")
    search_placeholder = gettext_lazy("Asset number or metering point")
    related = ("metering_point", "old_asset", "new_asset", "by", "second_person")


class MeterChangeDetailView(ScopedPage, TemplateView):
    required_capability = VIEW_METERING
    template_name = "metering/change_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        change = self.scoped_object(
            MeterChange,
            queryset=MeterChange.objects.select_related(
                "metering_point__customer", "old_asset", "new_asset", "by", "second_person"
            ),
        )
        ctx.update(
            object=change, seals_removed=change.seals_removed.all(), seals_used=change.seals_used.all()
        )
        return ctx


class MeterChangeCreateView(ScopedPage, View):
    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING
    template_name = "metering/change_form.html"

    def get(self, request):
        initial = {"old_asset": request.GET.get("old", "")}
        return render(
            request,
            self.template_name,
            {"form": f.MeterChangeForm(initial=initial, staff=_staff(request.user))},
        )

    def post(self, request):
        user = request.user
        form = f.MeterChangeForm(request.POST, staff=_staff(user))
        if form.is_valid():
            data = form.cleaned_data
            assets = scope_queryset(Asset.objects.filter(kind="meter"), user)
            try:
                old = assets.filter(asset_number=data["old_asset"].strip()).first()
                new = assets.filter(asset_number=data["new_asset"].strip()).first()
                if old is None or new is None:
                    raise ValidationError(_("No such meter asset in your scope."))
                seals = scoped(Seal, user)
                removed_numbers = f.split_numbers(data["seals_removed"])
                used_numbers = f.split_numbers(data["seals_used"])
                removed = list(seals.filter(number__in=removed_numbers))
                used = list(seals.filter(number__in=used_numbers))
                missing = (set(removed_numbers) - {s.number for s in removed}) | (
                    set(used_numbers) - {s.number for s in used}
                )
                if missing:
                    raise ValidationError(_("Unknown seals: %(n)s.") % {"n": "、".join(sorted(missing))})
                change = services.meter_change(
                    user=user,
                    old_asset=old,
                    new_asset=new,
                    changed_on=data["changed_on"],
                    reason=data["reason"],
                    old_registers=form.registers("old"),
                    new_registers=form.registers("new"),
                    second_person=data["second_person"],
                    seals_removed=removed,
                    seals_used=used,
                    note=data["note"],
                )
                messages.success(request, _("Meter change recorded."))
                return redirect(change.get_absolute_url())
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
        else:
            _form_errors(request, form)
        return render(request, self.template_name, {"form": form}, status=400)


class AcceptanceListView(MeteringListView):
    model = Acceptance
    filterset_class = AcceptanceFilterSet
    table_class = AcceptanceTable
    title = gettext_lazy("Metering acceptances")
    search_placeholder = gettext_lazy("Metering point")
    related = ("metering_point", "by", "second_person")


class AcceptanceCreateView(ScopedPage, View):
    required_capability = VIEW_METERING
    action_capability = MANAGE_METERING
    template_name = "metering/acceptance_form.html"

    def get(self, request):
        form = f.AcceptanceForm(
            initial={"metering_point": request.GET.get("point", "")}, staff=_staff(request.user)
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        user = request.user
        form = f.AcceptanceForm(request.POST, staff=_staff(user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                point = scoped(MeteringPoint, user).filter(code=data["metering_point"].strip()).first()
                if point is None:
                    raise ValidationError(_("No such metering point in your scope."))
                numbers = f.split_numbers(data["assets"])
                assets = list(scope_queryset(Asset.objects.filter(asset_number__in=numbers), user))
                missing = set(numbers) - {a.asset_number for a in assets}
                if missing:
                    raise ValidationError(_("Unknown assets: %(n)s.") % {"n": "、".join(sorted(missing))})
                acceptance = services.acceptance_record(
                    user=user,
                    metering_point=point,
                    assets=assets,
                    checklist=form.checklist(),
                    second_person=data["second_person"],
                    accepted_on=data["accepted_on"],
                    note=data["note"],
                )
                if acceptance.result == "passed":
                    messages.success(request, _("Acceptance passed: the assets may be installed."))
                else:
                    messages.warning(
                        request, _("Acceptance failed: put the unchecked items right and accept again.")
                    )
                return redirect("metering:acceptance_list")
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
        else:
            _form_errors(request, form)
        return render(request, self.template_name, {"form": form}, status=400)
