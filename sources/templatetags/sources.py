"""Template tags of the sources: the confidence mark every figure carries. Load with `{% load sources %}`."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..choices import Confidence

register = template.Library()

_CONFIDENCE = dict(Confidence.choices)


@register.simple_tag
def confidence_mark(confidence: str, disputed: bool = False) -> SafeString:
    """The confidence mark of a source or a figure ("[A+]", "[A1] [!]"), explained on the methodology page."""
    href = reverse("pillars:methodology") + "#confidence"
    mark = format_html(
        '<a class="mark" href="{}" title="{}">[{}]</a>', href, _CONFIDENCE.get(confidence, confidence), confidence
    )
    if disputed:
        mark += format_html(
            ' <a class="mark disputed" href="{}" title="{}">[!]</a>', href, _("Sources conflict on this figure.")
        )
    return mark
