"""The audit trail (django-simple-history) of archive records changed through the ORM."""

from decimal import Decimal

from gridcheck.archive.models import Customer, Meter
from gridcheck.core.api import history_records


def test_orm_edit_records_before_after_and_user(county):
    user = county.users["auditor_east"]
    customer = Customer.objects.get(pk=county.customers["east11"].pk)
    customer.name = "改名客户"
    customer.contracted_capacity_kva = Decimal("12")
    customer._history_user = user
    customer.save()

    latest, created = customer.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == user
    assert created.history_type == "+"
    assert created.name == "客户east11"
    delta = latest.diff_against(created, excluded_fields=["updated_at"])
    changes = {change.field: (change.old, change.new) for change in delta.changes}
    assert changes == {
        "name": ("客户east11", "改名客户"),
        "contracted_capacity_kva": (Decimal("8.00"), Decimal("12")),
    }
    # The same record as the history endpoint reports it.
    record = history_records(customer)[0]
    assert record["user"]["username"] == "auditor_east"
    assert {(c["field"], c["old"], c["new"]) for c in record["changes"]} == {
        ("name", "客户east11", "改名客户"),
        ("contracted_capacity_kva", "8.00", "12.00"),
    }


def test_meter_deletion_is_recorded(county):
    user = county.users["head_east"]
    meter = Meter.objects.get(asset_number="M1100000001")
    meter_id = meter.pk
    meter._history_user = user
    meter.delete()

    assert not Meter.objects.filter(pk=meter_id).exists()
    deleted = Meter.history.filter(id=meter_id).first()
    assert deleted.history_type == "-"
    assert deleted.history_user == user
    assert deleted.asset_number == "M1100000001"
    assert Meter.history.filter(id=meter_id).count() == 2


def test_edit_without_user_is_recorded_anonymously(county):
    customer = county.customers["west11"]
    customer.phone = "0000"
    customer.save()
    latest = customer.history.first()
    assert latest.history_type == "~"
    assert latest.history_user is None
    assert latest.phone == "0000"


def test_history_tables_index_only_the_id_and_the_date(db):
    """The archive's history tables keep the indexes the history is read by, not the business keys'."""
    from django.db import connection

    from gridcheck.archive.models import MeteringPoint

    for model in (Customer, MeteringPoint, Meter):
        history = model.history.model
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, history._meta.db_table)
        indexed = {
            column
            for c in constraints.values()
            if c["index"] and not c["primary_key"]
            for column in c["columns"]
        }
        assert {"id", "history_date"} <= indexed, model
        for name in model.history_unindexed_fields:
            assert history._meta.get_field(name).column not in indexed, (model, name)
            # The archive table itself keeps its own indexes and unique keys.
            field = model._meta.get_field(name)
            assert field.db_index or field.unique or name in ("area", "station"), (model, name)
