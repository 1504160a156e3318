"""Filters for the PDF templates (templates/<app>/pdf/)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from members.formatting import french_spacing

register = template.Library()

# Markup and character references in text that is already HTML are left alone.
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


@register.filter(needs_autoescape=True)
def typography(value, autoescape=True):
    """User text, escaped, with French spacing and guillemets when the active language
    is French (members.formatting.french_spacing); only escaped in other languages.
    Chain |linebreaks after it if needed."""
    if value is None:
        return ""
    french = (get_language() or "").startswith("fr")
    if isinstance(value, SafeData):
        if not french:
            return value
        parts = _MARKUP.split(str(value))
        return mark_safe("".join(part if _MARKUP.fullmatch(part) else french_spacing(part) for part in parts))
    text = french_spacing(str(value)) if french else str(value)
    return mark_safe(conditional_escape(text)) if autoescape else text
