from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """The implementation-slip indicators: the pure arithmetic, the stored snapshots, the recompute."""

    name = "indicators"
    verbose_name = "Slip indicators"

    def ready(self) -> None:
        from core.signals import watch

        from . import checks  # noqa: F401  (registers the system check)
        from .models import RecomputeRun

        # A finished recompute changes what every page and endpoint shows.
        watch(RecomputeRun)
