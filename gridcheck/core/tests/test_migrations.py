"""The squashed migrations: used on a new database, the same state as the migrations they replace.

The schemas they build were compared with those of the old migrations on SQLite and PostgreSQL by hand
(docs/deployment.md); here, what needs no database.
"""

import pytest
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ModelState, ProjectState

from gridcheck.core.migration_operations import CreateModels

pytestmark = pytest.mark.django_db(databases=[])


@pytest.fixture(scope="module")
def squashed_loader():
    return MigrationLoader(None)


@pytest.fixture(scope="module")
def old_loader():
    return MigrationLoader(None, replace_migrations=False)


def _squashed(loader):
    return {key: migration for key, migration in loader.disk_migrations.items() if migration.replaces}


def test_a_new_database_plans_the_squashed_migrations_only(squashed_loader):
    squashed = _squashed(squashed_loader)
    assert len(squashed) >= 12
    graph = squashed_loader.graph
    plan = {node for leaf in graph.leaf_nodes() for node in graph.forwards_plan(leaf)}
    for key, migration in squashed.items():
        assert key in plan
        assert not set(migration.replaces) & plan, key


def test_the_squashed_migrations_end_in_the_state_of_the_old_ones(squashed_loader, old_loader):
    squashed = set(_squashed(old_loader))
    old_leaves = [node for node in old_loader.graph.leaf_nodes() if node not in squashed]
    old_state = old_loader.project_state(nodes=old_leaves)
    new_state = squashed_loader.project_state()
    assert set(new_state.models) == set(old_state.models)
    different = [key for key in old_state.models if old_state.models[key] != new_state.models[key]]
    assert different == []


def _operations():
    author = migrations.CreateModel(
        "Author",
        fields=[("id", models.AutoField(primary_key=True)), ("name", models.CharField(max_length=10))],
    )
    book = migrations.CreateModel(
        "Book",
        fields=[
            ("id", models.AutoField(primary_key=True)),
            ("author", models.ForeignKey("shelf.Author", models.CASCADE)),
        ],
        options={"indexes": [models.Index(fields=["author"], name="shelf_book_author")]},
    )
    return [author, book]


@pytest.mark.parametrize("rendered", [False, True])
def test_create_models_gives_the_state_of_its_create_models(rendered):
    one_by_one, at_once = ProjectState(), ProjectState()
    if rendered:
        one_by_one.apps, at_once.apps  # noqa: B018 (render the empty states)
    for operation in _operations():
        operation.state_forwards("shelf", one_by_one)
    CreateModels(_operations()).state_forwards("shelf", at_once)
    assert at_once.models == one_by_one.models
    book = at_once.apps.get_model("shelf", "Book")
    assert book._meta.get_field("author").related_model is at_once.apps.get_model("shelf", "Author")
    assert ("shelf", "book") in at_once.models and isinstance(at_once.models["shelf", "book"], ModelState)


def test_create_models_takes_create_model_only_and_deconstructs():
    with pytest.raises(TypeError):
        CreateModels([migrations.DeleteModel("Author")])
    operation = CreateModels(_operations())
    name, args, kwargs = operation.deconstruct()
    assert name == "CreateModels"
    assert [op.name for op in args[0]] == ["Author", "Book"]
    assert operation.references_model("author", "shelf")
    assert not operation.references_model("reader", "shelf")
