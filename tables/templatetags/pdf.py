"""Filters for the PDF templates (templates/<app>/pdf/)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
_SPACES = "[ \t\u00a0\u202f]*"

# French typography (Office québécois de la langue française): a non-breaking space
# before the colon and inside guillemets, a narrow one before ; ? ! — so that a line
# never starts with the punctuation. Straight double quotes become guillemets.
FRENCH_RULES = [
    (re.compile(r'"\s*([^"]*?)\s*"'), f"«{NBSP}\\1{NBSP}»"),
    (re.compile(f"«{_SPACES}"), f"«{NBSP}"),
    (re.compile(f"{_SPACES}»"), f"{NBSP}»"),
    # Only a colon that ends a phrase: 14:30 and https:// stay as they are.
    (re.compile(rf"(?<=\S){_SPACES}:(?=\s|$)"), f"{NBSP}:"),
    (re.compile(rf"(?<=\S){_SPACES}([;?!]+)(?=\s|$|[)\]])"), f"{NARROW_NBSP}\\1"),
]
# Markup and character references in text that is already HTML are left alone.
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


def _french(text: str) -> str:
    for pattern, replacement in FRENCH_RULES:
        text = pattern.sub(replacement, text)
    return text


@register.filter(needs_autoescape=True)
def typography(value, autoescape=True):
    """User text, escaped, with French spacing and guillemets when the active language
    is French; only escaped in other languages. Chain |linebreaks after it if needed."""
    if value is None:
        return ""
    french = (get_language() or "").startswith("fr")
    if isinstance(value, SafeData):
        if not french:
            return value
        parts = _MARKUP.split(str(value))
        return mark_safe("".join(part if _MARKUP.fullmatch(part) else _french(part) for part in parts))
    text = _french(str(value)) if french else str(value)
    return mark_safe(conditional_escape(text)) if autoescape else text
