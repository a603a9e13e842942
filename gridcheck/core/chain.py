"""What came before and after an object (前因后果): suspect → work order → visit → case → payment → closure.

Core imports no app, so the chain is built from what the apps register in their ``registrations.py``:

- ``chain.stage(model_label, ChainStage(...))``: how one kind of object shows on the chain card (its
  place, its label, its number, status and local date, its page, who may see it);
- ``chain.link(model_label, func)``: the objects directly before or after an object of that kind
  (``func(obj) -> iterable of objects``). Links are followed both ways; an app adds links to a lower app's
  model (detection says which suspects led to a work order; inspections does not know detection).

``chain_of(obj, user)`` walks the links from ``obj`` (at most ``MAX_NODES`` objects), keeps what the user
may see (the stage's capability and the user's station/area scope) and returns the nodes in stage order,
then date. A stage may add nodes that are not objects of their own (a case's closure) with ``extra``.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils import timezone

#: The walk stops after this many objects (a work order visited many times stays readable).
MAX_NODES = 30


@dataclass(frozen=True)
class ChainNode:
    """One line of the chain card."""

    order: int
    kind: object  # the stage's label ("工单")
    label: str  # the number or name
    url: str
    status: object = ""
    when: datetime.date | datetime.datetime | None = None
    current: bool = False

    @property
    def local_date(self) -> datetime.date | None:
        """The node's date in Asia/Shanghai (a datetime is converted, a date stays)."""
        if isinstance(self.when, datetime.datetime):
            return timezone.localtime(self.when).date() if timezone.is_aware(self.when) else self.when.date()
        return self.when


@dataclass(frozen=True)
class ChainStage:
    """How one kind of object shows on the chain card.

    ``order``: its place (suspect 10, work order 20, visit 30, case 40, payment 50, closure 60);
    ``label``: what it is; ``describe(obj) -> (label, status, date)``; ``capability``: what seeing it needs
    (besides the user's scope); ``extra(obj) -> [ChainNode]``: lines it adds (e.g. the closure).
    """

    order: int
    label: object
    describe: Callable[[Model], tuple[str, object, object]]
    capability: str
    url: Callable[[Model], str] = field(default=lambda obj: obj.get_absolute_url())
    extra: Callable[[Model], list] = field(default=lambda obj: [])


class ChainRegistry:
    def __init__(self):
        self._stages: dict[str, ChainStage] = {}
        self._links: dict[str, list[Callable[[Model], Iterable[Model]]]] = {}

    def stage(self, model_label: str, stage: ChainStage) -> None:
        label = model_label.lower()
        if label in self._stages and self._stages[label] is not stage:
            raise ValueError(f"chain stage {model_label!r} is registered twice")
        self._stages[label] = stage

    def link(self, model_label: str, func: Callable[[Model], Iterable[Model]]) -> None:
        funcs = self._links.setdefault(model_label.lower(), [])
        if func not in funcs:
            funcs.append(func)

    def stage_of(self, obj) -> ChainStage | None:
        return self._stages.get(obj._meta.label_lower)

    def neighbours(self, obj) -> list[Model]:
        found = []
        for func in self._links.get(obj._meta.label_lower, ()):
            found.extend(o for o in func(obj) if o is not None and o.pk is not None)
        return found


chain = ChainRegistry()


def _visible(obj, stage: ChainStage, user) -> bool:
    from gridcheck.core.roles import has_capability
    from gridcheck.core.scoping import scope_queryset

    if not has_capability(user, stage.capability):
        return False
    model = type(obj)
    return scope_queryset(model._default_manager.filter(pk=obj.pk), user).exists()


def chain_of(obj, user) -> list[ChainNode]:
    """The chain through ``obj`` as the user may see it, in stage order; empty when ``obj`` is alone."""
    if chain.stage_of(obj) is None:
        return []
    seen = {(obj._meta.label_lower, obj.pk): obj}
    queue = [obj]
    while queue and len(seen) < MAX_NODES:
        current = queue.pop(0)
        for other in chain.neighbours(current):
            key = (other._meta.label_lower, other.pk)
            if key not in seen and chain.stage_of(other) is not None and len(seen) < MAX_NODES:
                seen[key] = other
                queue.append(other)
    if len(seen) == 1:
        return []
    nodes = []
    for (label_lower, pk), item in seen.items():
        stage = chain.stage_of(item)
        if not _visible(item, stage, user):
            continue
        label, status, when = stage.describe(item)
        is_current = label_lower == obj._meta.label_lower and pk == obj.pk
        nodes.append(ChainNode(stage.order, stage.label, label, stage.url(item), status, when, is_current))
        nodes.extend(stage.extra(item))

    def sort_key(node: ChainNode):
        date = node.local_date or datetime.date.max
        return (node.order, date, node.label)

    return sorted(nodes, key=sort_key)
