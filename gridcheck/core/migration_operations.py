"""A migration operation of our own: several CreateModel at once, the migration state rendered once.

Django re-renders, for each CreateModel, the new model and every model related to those it points to,
recursively; nearly every model points to ``users.User``, so each CreateModel re-renders nearly all models
created before it, and a new database's ``migrate`` spent most of its time there (docs/deployment.md).
``CreateModels`` adds the models' states one after the other without rendering, then renders the new
models and their related ones once. The database side is each CreateModel's own, in the given order.
The squashed migrations use it (scripts/squash_migrations.py).
"""

from __future__ import annotations

from django.db import migrations
from django.db.migrations.operations.base import Operation


class CreateModels(Operation):
    """CreateModel for each of ``operations`` (in that order), with one re-render of the state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, operations: list[migrations.CreateModel]):
        if not all(isinstance(operation, migrations.CreateModel) for operation in operations):
            raise TypeError("CreateModels takes CreateModel operations only")
        self.operations = list(operations)
        super().__init__()

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operations], {})

    def state_forwards(self, app_label, state):
        # Without rendered apps, ProjectState.add_model only records the model state; the apps are put
        # back and the new models (and the models related to them) re-rendered once.
        rendered = state.__dict__.pop("apps", None)
        for operation in self.operations:
            operation.state_forwards(app_label, state)
        if rendered is not None:
            state.__dict__["apps"] = rendered
            state.reload_models(
                [(app_label, operation.name_lower) for operation in self.operations], delay=False
            )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name, app_label):
        return any(operation.references_model(name, app_label) for operation in self.operations)

    def describe(self):
        return "Create models " + ", ".join(operation.name for operation in self.operations)

    @property
    def migration_name_fragment(self):
        return "_".join(operation.migration_name_fragment for operation in self.operations[:3])
