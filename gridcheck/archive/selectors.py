"""Read helpers of the archive pages: dashboard figures, within the user's scope."""

import datetime

from django.db.models import Count, Q

from gridcheck.archive.choices import CustomerCategory, InspectionClass
from gridcheck.archive.models import Area, Customer, ImportBatch, Line, Meter, Station, Tariff
from gridcheck.core.counting import count_together
from gridcheck.core.registries import imports
from gridcheck.core.scoping import scope_queryset


def dashboard_counts(*, user) -> dict[str, int]:
    """How many stations, lines, areas, customers and meters ``user`` may see (one query)."""
    names = ("stations", "lines", "areas", "customers", "meters")
    models = (Station, Line, Area, Customer, Meter)
    counts = count_together([scope_queryset(model.objects.all(), user) for model in models])
    return dict(zip(names, counts, strict=True))


def customer_breakdown(*, user) -> dict:
    """Customers in scope by category and by inspection class, plus high-risk and important counts.

    One grouped scan of the customer table serves all four figures.
    """
    customers = scope_queryset(Customer.objects.all(), user).order_by()
    groups = customers.values("category", "inspection_class").annotate(
        n=Count("pk"),
        high_risk=Count("pk", filter=Q(is_high_risk=True)),
        important=Count("pk", filter=Q(is_important=True)),
    )
    by_category, by_class = {}, {}
    high_risk = important = 0
    for group in groups:
        by_category[group["category"]] = by_category.get(group["category"], 0) + group["n"]
        by_class[group["inspection_class"]] = by_class.get(group["inspection_class"], 0) + group["n"]
        high_risk += group["high_risk"]
        important += group["important"]
    return {
        "by_category": [
            {"value": value, "label": str(label), "count": by_category.get(value, 0)}
            for value, label in CustomerCategory.choices
        ],
        "by_class": [
            {"value": value, "label": str(label), "count": by_class.get(value, 0)}
            for value, label in InspectionClass.choices
        ],
        "high_risk": high_risk,
        "important": important,
    }


def entity_labels() -> dict[str, str]:
    """What each import/export entity key is called on the pages (the model's plural name)."""
    return {key: str(spec.model._meta.verbose_name_plural) for key, spec in imports.items()}


def recent_imports(*, user, limit: int = 5):
    """The last ``limit`` archive imports that ``user`` may see, newest first (with ``entity_label``)."""
    batches = list(
        scope_queryset(ImportBatch.objects.select_related("started_by", "station"), user).order_by(
            "-created_at"
        )[:limit]
    )
    labels = entity_labels()
    for batch in batches:
        batch.entity_label = labels.get(batch.entity, batch.entity)
    return batches


def tariff_in_force(code: str, on: datetime.date) -> Tariff | None:
    """The version of tariff ``code`` in force on ``on`` (the latest one that started by then)."""
    return Tariff.objects.filter(code=code, effective_from__lte=on).order_by("-effective_from").first()
