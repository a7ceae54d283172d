"""Signal wiring kept to one concern: telling the ETag machinery that data changed.

Business rules live in services, not here (HackSoft style); this only
invalidates conditional-request tokens, for every write path including plain
model saves. Each app declares its own public models in its `AppConfig.ready`.
"""

from __future__ import annotations

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from .versioning import bump_data_version


def watch(*models: type[Model]) -> None:
    """Renew the data-version token after every committed save, delete or m2m change of `models`."""
    for model in models:
        uid = f"data-version:{model._meta.label}"
        post_save.connect(bump_data_version, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                bump_data_version, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
            )
