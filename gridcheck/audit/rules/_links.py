"""Links of evidence rows: the page of each object a rule cites (computed without fetching it)."""

from django.urls import reverse


def customer_url(pk: int) -> str:
    return reverse("archive:customer_detail", args=[pk])


def area_url(pk: int) -> str:
    return reverse("archive:area_detail", args=[pk])


def meter_url(pk: int) -> str:
    return reverse("archive:meter_detail", args=[pk])


def metering_point_url(pk: int) -> str:
    return reverse("archive:meteringpoint_detail", args=[pk])
