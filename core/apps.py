from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared web and API plumbing; it owns no models."""

    name = "core"
    verbose_name = "Portal plumbing"

    def ready(self) -> None:
        # After the admin's autodiscovery (django.contrib.admin is ready first): DRF's token admin is registered.
        from core.tokens import register_admin

        register_admin()
