from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The public record of every change to published data: `/changes/`, its API and the Atom feed."""

    name = "changes"
    verbose_name = "Public record of changes"

    def ready(self) -> None:
        from . import record

        record.connect()
