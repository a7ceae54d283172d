from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "hubs"
    verbose_name = "Regional hubs"

    def ready(self) -> None:
        from core.signals import watch

        from .models import Hub

        watch(Hub)
