"""Squash one app's migrations into one, folding indexes and constraints into CreateModel.

Django 5.2's ``squashmigrations`` leaves every AddIndex/AddConstraint beside its CreateModel (its optimizer
does not fold them), and those in turn keep later AddField/AlterField from folding. Each such operation
re-renders every model related to the changed one (nearly all, through ``users.User``), which is where a
fresh database's ``migrate`` spends its time. This script takes the operations of the given migrations,
drops the RunPython operations named with ``--drop`` (data fixes of existing rows, nothing to do on a new
database), lets Django's optimizer and a fold of AddIndex/AddConstraint/RemoveIndex/RemoveConstraint into
the CreateModel of the same model work until nothing changes, puts each run of CreateModel into one
``CreateModels`` (gridcheck/core/migration_operations.py: the state rendered once for the run), and writes a
squashed migration that ``replaces`` the originals (Django uses it on a new database only). RunPython operations that are kept are
not serialisable: the script leaves them out and prints them; copy them to the end of the file by hand.

    python scripts/squash_migrations.py APP FIRST LAST [--drop MIGRATION ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _fold_options(operations: list, app_label: str) -> bool:
    from django.db.migrations import operations as ops

    option_ops = (ops.AddIndex, ops.AddConstraint, ops.RemoveIndex, ops.RemoveConstraint)
    for j, operation in enumerate(operations):
        if not isinstance(operation, option_ops):
            continue
        model = operation.model_name_lower
        for i in range(j - 1, -1, -1):
            candidate = operations[i]
            if isinstance(candidate, ops.CreateModel) and candidate.name_lower == model:
                break
            if (
                getattr(candidate, "model_name_lower", None) == model
                or getattr(candidate, "name_lower", None) == model
            ):
                i = None
                break
        else:
            continue
        if i is None:
            continue
        create = operations[i]
        options = dict(create.options)
        if isinstance(operation, ops.AddIndex):
            options["indexes"] = [*options.get("indexes", []), operation.index]
        elif isinstance(operation, ops.AddConstraint):
            options["constraints"] = [*options.get("constraints", []), operation.constraint]
        elif isinstance(operation, ops.RemoveIndex):
            kept = [index for index in options.get("indexes", []) if index.name != operation.name]
            if len(kept) == len(options.get("indexes", [])):
                continue
            options["indexes"] = kept
        else:
            kept = [c for c in options.get("constraints", []) if c.name != operation.name]
            if len(kept) == len(options.get("constraints", [])):
                continue
            options["constraints"] = kept
        operations[i] = ops.CreateModel(
            create.name, fields=create.fields, options=options, bases=create.bases, managers=create.managers
        )
        del operations[j]
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app")
    parser.add_argument("first")
    parser.add_argument("last")
    parser.add_argument(
        "--drop", nargs="*", default=[], help="migrations whose RunPython operations are left out"
    )
    args = parser.parse_args()

    import django

    from config.env import settings_module

    settings_module()
    django.setup()
    from django.conf import settings
    from django.db import migrations
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.optimizer import MigrationOptimizer
    from django.db.migrations.writer import MigrationWriter

    from gridcheck.core.migration_operations import CreateModels

    loader = MigrationLoader(None, replace_migrations=False)
    app = args.app
    names = sorted(name for label, name in loader.disk_migrations if label == app)
    first = next(name for name in names if name.startswith(args.first))
    last = next(name for name in names if name.startswith(args.last))
    squashed = [name for name in names if first <= name <= last and "_squashed_" not in name]

    operations, dependencies, left_out = [], set(), []
    for name in squashed:
        migration = loader.disk_migrations[app, name]
        for operation in migration.operations:
            if isinstance(operation, (migrations.RunPython, migrations.RunSQL)):
                if not any(name.startswith(prefix) for prefix in args.drop):
                    left_out.append((name, operation))
                continue
            if isinstance(operation, CreateModels):
                operations.extend(operation.operations)
            else:
                operations.append(operation)
        for dependency in migration.dependencies:
            if getattr(dependency, "setting", None) == settings.AUTH_USER_MODEL:
                dependencies.add(("__setting__", "AUTH_USER_MODEL"))
            elif dependency[0] != app or name == first and dependency[1] not in squashed:
                dependencies.add(tuple(dependency))

    optimizer = MigrationOptimizer()
    before = len(operations)
    while True:
        operations = optimizer.optimize(operations, app)
        if not _fold_options(operations, app):
            break
        while _fold_options(operations, app):
            pass
    grouped = []
    for operation in operations:
        if isinstance(operation, migrations.CreateModel) and grouped and isinstance(grouped[-1], list):
            grouped[-1].append(operation)
        elif isinstance(operation, migrations.CreateModel):
            grouped.append([operation])
        else:
            grouped.append(operation)
    operations = [
        (CreateModels(item) if len(item) > 1 else item[0]) if isinstance(item, list) else item
        for item in grouped
    ]
    migration = type(
        "Migration",
        (migrations.Migration,),
        {
            "dependencies": sorted(dependencies),
            "operations": operations,
            "replaces": [(app, name) for name in squashed],
            "initial": first.startswith("0001"),
        },
    )(f"{first}_squashed" if first == last else f"{first}_squashed_{last}", app)
    writer = MigrationWriter(migration)
    Path(writer.path).write_text(writer.as_string())
    print(f"{writer.path}: {before} operations -> {len(operations)}")
    for name, operation in left_out:
        print(f"  left out, add by hand: {name}: {operation.describe()}")


if __name__ == "__main__":
    main()
