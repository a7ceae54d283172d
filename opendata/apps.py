from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The open data: the bulk data package (a Frictionless Data Package) and the /data/ page."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "opendata"
    verbose_name = "Open data"

    def ready(self) -> None:
        from celery.signals import task_success

        from .signals import recompute_succeeded

        task_success.connect(recompute_succeeded, dispatch_uid="opendata.recompute_succeeded")
