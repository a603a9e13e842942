"""What the hazards app announces: ``hazard_registered`` (``hazard``, ``actor``) once a hazard is saved and
photographed; the monthly notices subscribe (a hazard registered after the month's notice gets a
supplementary notice) without the life cycle importing them."""

from django.dispatch import Signal

hazard_registered = Signal()
