"""The admin's number fields: a figure typed in either grouping (160,000 or 1,60,000), read by `core.numbers`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import numbers

FIGURE_HELP = _(
    "Digits, with or without separators: 160000, 160,000 and 1,60,000 are all read as 160000; "
    "a point for decimals (1.5). Urdu digits are read too."
)


class FigureInput(forms.TextInput):
    """A text box (a browser's number box refuses "2,750" before the form sees it) that shows 160000, not 160000.0."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 14, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            return numbers.plain(float(value))
        shown: str | None = super().format_value(value)
        return shown

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        """The box, and beside a figure typed with separators (sent back with another field's error) what it reads."""
        html = super().render(name, value, attrs, renderer)
        if not isinstance(value, str) or not value.strip():
            return html
        try:
            reading = numbers.read_number(value)
        except numbers.NumberProblem:
            return html
        if str(reading) == value.strip():
            return html
        read_as = gettext("read as %(number)s") % {"number": reading}
        return format_html('{} <span class="help figure-read">{}</span>', html, read_as)


class FigureField(forms.FloatField):
    """A float typed as people write figures; the error says what was read and how to write it."""

    widget = FigureInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        own = str(self.help_text or "")
        self.help_text = f"{own} {FIGURE_HELP}".strip() if own else FIGURE_HELP
        # FloatField adds a "step" to a number box; a text box takes none.
        self.widget.attrs.pop("step", None)

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, float | int) and not isinstance(value, bool):
            return float(value)
        try:
            return numbers.read_number(str(value)).value
        except numbers.NumberProblem as problem:
            raise ValidationError(str(problem), code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs
