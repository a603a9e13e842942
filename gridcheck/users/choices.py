from django.db import models
from django.utils.translation import gettext_lazy as _


class QualificationLevel(models.TextChoices):
    """Level of an inspector's certificate (用电检查资格)."""

    LEVEL_1 = "1", _("Level 1")
    LEVEL_2 = "2", _("Level 2")
    LEVEL_3 = "3", _("Level 3")
