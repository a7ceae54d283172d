from django.apps import AppConfig


class PillarsConfig(AppConfig):
    name = "pillars"
    verbose_name = "Pillars, targets and milestones"

    def ready(self) -> None:
        from . import signals

        signals.connect()
