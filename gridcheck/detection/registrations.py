"""What detection adds to the floor: its menu entries, and scoring each month once its line-loss
analysis has succeeded."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu, todos
from gridcheck.core.roles import VIEW_DETECTION


def register() -> None:
    access.register("detection", VIEW_DETECTION)
    from gridcheck.detection import chain as chain_card

    chain_card.register()
    menu.add_section("detection", _("Theft detection"), order=40)
    menu.add_item(
        "detection", MenuItem(_("Theft suspects"), "detection:suspect_list", VIEW_DETECTION, order=0)
    )
    menu.add_item("detection", MenuItem(_("Detection runs"), "detection:run_list", VIEW_DETECTION, order=1))
    menu.add_item(
        "detection", MenuItem(_("Candidate models"), "detection:candidate_list", VIEW_DETECTION, order=2)
    )
    from gridcheck.core.runs import run_succeeded
    from gridcheck.lineloss.models import AnalysisRun

    run_succeeded.connect(follow_analysis, sender=AnalysisRun, dispatch_uid="detection.follow_analysis")
    # The closed loop: a suspect's work order or case closes, and the suspect shows what was proved.
    from gridcheck.cases.signals import case_closed
    from gridcheck.detection.services import on_case_closed, on_work_order_closed
    from gridcheck.inspections.signals import work_order_closed

    work_order_closed.connect(on_work_order_closed, dispatch_uid="detection.work_order_closed")
    case_closed.connect(on_case_closed, dispatch_uid="detection.case_closed")
    from gridcheck.detection.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)


def follow_analysis(sender, *, run, command=None, no_progress=False, **kwargs):
    """Score the analysed month: in the foreground of ``gridcheck analyse``, else on the worker."""
    if command is not None:
        from gridcheck.detection.management.commands.detect import detect_after_analysis

        return detect_after_analysis(command, run, no_progress=no_progress)
    from gridcheck.detection.services import detection_after_analysis

    return detection_after_analysis(analysis_run=run, enqueue=True)
