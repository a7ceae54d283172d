"""A built data package: which date it is as of, which data version it holds, where its file is."""

from __future__ import annotations

from django.db import models


class DataPackage(models.Model):
    """The bulk download of one as-of date, built by a Celery task (`opendata.tasks.build_package`).

    One row per date: a rebuild replaces the file and the row. `data_version` is
    the version of the data (`core.versioning`) the file was built from, so a
    build is skipped when nothing changed since.
    """

    as_of = models.DateField(unique=True)
    data_version = models.BigIntegerField()
    built_at = models.DateTimeField()
    file = models.CharField(max_length=200, help_text="The zip's path under MEDIA_ROOT.")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    seconds = models.FloatField(help_text="How long the build took.")

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"Data package as of {self.as_of.isoformat()}"
