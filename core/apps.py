from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared web and API plumbing; it owns no models."""

    name = "core"
    verbose_name = "Portal plumbing"
