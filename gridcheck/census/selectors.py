"""Reading census state: campaigns in scope, a campaign's coverage and discrepancies by kind and area,
the customers a member of staff has to visit."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Exists, OuterRef, Q

from gridcheck.archive.choices import CustomerStatus
from gridcheck.archive.models import Customer
from gridcheck.census.choices import CampaignStatus, DiscrepancyKind, RecordStatus
from gridcheck.census.models import CensusCampaign, CensusRecord, CensusTeam, Discrepancy
from gridcheck.core.scoping import scope_queryset


def campaigns_for(user):
    return scope_queryset(CensusCampaign.objects.select_related("station"), user)


def discrepancies_for(user):
    return scope_queryset(
        Discrepancy.objects.select_related("campaign", "customer", "area", "station", "record"), user
    )


def records_for(user):
    return scope_queryset(CensusRecord.objects.select_related("campaign", "customer", "team", "area"), user)


def campaign_customers(campaign: CensusCampaign):
    """The customers the campaign covers: those supplied in its areas."""
    return Customer.objects.filter(area__in=campaign.areas.all()).exclude(status=CustomerStatus.CLOSED)


def coverage(campaign: CensusCampaign) -> dict:
    """Customers visited (submitted records) / customers in the campaign's areas, per area and per area
    owner (the area manager who answers for it), and the discrepancies found there."""
    customers = dict(
        campaign_customers(campaign).values("area_id").annotate(n=Count("pk")).values_list("area_id", "n")
    )
    visited = dict(
        campaign.records.filter(status=RecordStatus.SUBMITTED)
        .values("area_id")
        .annotate(n=Count("pk"))
        .values_list("area_id", "n")
    )
    found = dict(campaign.discrepancies.values("area_id").annotate(n=Count("pk")).values_list("area_id", "n"))
    areas, owners = [], defaultdict(lambda: {"customers": 0, "visited": 0, "discrepancies": 0})
    for area in campaign.areas.select_related("owner").order_by("code"):
        row = {
            "area": area,
            "customers": customers.get(area.pk, 0),
            "visited": visited.get(area.pk, 0),
            "discrepancies": found.get(area.pk, 0),
        }
        row["percent"] = round(100 * row["visited"] / row["customers"], 1) if row["customers"] else 0
        areas.append(row)
        owner = owners[str(area.owner) if area.owner_id else ""]
        for key in ("customers", "visited", "discrepancies"):
            owner[key] += row[key]
    total = sum(r["customers"] for r in areas)
    done = sum(r["visited"] for r in areas)
    by_owner = [
        {
            "owner": name,
            **v,
            "percent": round(100 * v["visited"] / v["customers"], 1) if v["customers"] else 0,
        }
        for name, v in sorted(owners.items())
    ]
    return {
        "areas": areas,
        "owners": by_owner,
        "customers": total,
        "visited": done,
        "percent": round(100 * done / total, 1) if total else 0,
    }


def discrepancy_chart(queryset) -> dict:
    """Discrepancies by kind and by area (top 10), as the chart's JSON data island carries them."""
    kinds = Counter(dict(queryset.values("kind").annotate(n=Count("pk")).values_list("kind", "n")))
    areas = (
        queryset.values("area__code", "area__name").annotate(n=Count("pk")).order_by("-n", "area__code")[:10]
    )
    return {
        "kinds": {
            "labels": [str(label) for value, label in DiscrepancyKind.choices],
            "values": [kinds.get(value, 0) for value, _label in DiscrepancyKind.choices],
        },
        "areas": {
            "labels": [f"{a['area__code']} {a['area__name']}" for a in areas],
            "values": [a["n"] for a in areas],
        },
    }


def teams_of(user):
    """The census teams ``user`` is a member of, in campaigns not closed."""
    return (
        CensusTeam.objects.filter(members=user)
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .select_related("campaign__station")
        .prefetch_related("areas", "members")
    )


def customers_to_visit(team: CensusTeam, *, query: str = "", limit: int = 50):
    """The customers of the team's areas, those not yet recorded first."""
    done = CensusRecord.objects.filter(
        campaign_id=team.campaign_id, customer_id=OuterRef("pk"), status=RecordStatus.SUBMITTED
    )
    customers = Customer.objects.filter(area__in=team.areas.all()).exclude(status=CustomerStatus.CLOSED)
    if query:
        customers = customers.filter(Q(account_number__icontains=query) | Q(name__icontains=query))
    return (
        customers.annotate(done=Exists(done))
        .select_related("area")
        .order_by("done", "account_number")[:limit]
    )


def campaign_for_visit(user, customer) -> CensusCampaign | None:
    """The census (not closed) of the customer's station in which ``user`` is in a team: the one whose
    team covers the customer's area first, else any (the visit page then says why it is refused)."""
    campaigns = (
        CensusCampaign.objects.filter(station_id=customer.station_id, teams__members=user)
        .exclude(status=CampaignStatus.CLOSED)
        .distinct()
        .order_by("-year", "-quarter")
    )
    covering = campaigns.filter(teams__members=user, teams__areas=customer.area_id).first()
    return covering or campaigns.first()
