from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridcheck.core"
    verbose_name = "Core"
