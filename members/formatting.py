"""Dates, times, amounts and percentages written as readers of each language expect them,
one way for pages, emails, PDFs and exports.

French follows the Office québécois de la langue française (Banque de dépannage
linguistique): « 1er janvier 2026 » (the first of a month is an ordinal), « 9 h 00 »,
« 12 500 $ », « 100 % », with a no-break space where a line must not break: a narrow one
(U+202F) before `%`, `$`, `;`, `!` and `?`, a full one before the colon and inside
guillemets. English: "January 1, 2026", "9:00 a.m.", "$12,500", "100%".

Django's own formats (concertation/formats) cannot write « 1er »: templates use the
filters of `members.templatetags.formatting` (also loaded with `ui`), Python code these
functions.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, formats, timezone, translation

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
_SPACES = "[ \t\u00a0\u202f]*"

# A space that lets the line break before the punctuation is replaced: so that a line
# never starts with « ; » or « : ». Straight double quotes become guillemets.
FRENCH_RULES = [
    (re.compile(r'"\s*([^"]*?)\s*"'), f"«{NBSP}\\1{NBSP}»"),
    (re.compile(f"«{_SPACES}"), f"«{NBSP}"),
    (re.compile(f"{_SPACES}»"), f"{NBSP}»"),
    # Only a colon that ends a phrase: 14:30 and https:// stay as they are.
    (re.compile(rf"(?<=\S){_SPACES}:(?=\s|$)"), f"{NBSP}:"),
    (re.compile(rf"(?<=\S){_SPACES}([;?!]+)(?=\s|$|[)\]])"), f"{NARROW_NBSP}\\1"),
    (re.compile(rf"(?<=\d){_SPACES}([%$])"), f"{NARROW_NBSP}\\1"),
]


def is_french(language: str | None = None) -> bool:
    return (language or translation.get_language() or "").startswith("fr")


def french_spacing(text: str) -> str:
    """`text` with the French spaces before high punctuation, `%` and `$`, and guillemets
    for straight double quotes. Apply it only to French text."""
    for pattern, replacement in FRENCH_RULES:
        text = pattern.sub(replacement, text)
    return text


def _local(value):
    """A datetime in the site's time zone; a date or time as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_long(value: date | datetime | None, *, weekday: bool = False) -> str:
    """« 1er janvier 2026 », « lundi 2 février 2026 »; "January 1, 2026",
    "Monday, February 2, 2026". Empty for None."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if is_french():
        day = "1er" if value.day == 1 else str(value.day)
        text = f"{day} {dateformat.format(value, 'F Y')}"
        return f"{dateformat.format(value, 'l')} {text}" if weekday else text
    return dateformat.format(value, "l, F j, Y" if weekday else "F j, Y")


def day_month(value: date | datetime | None) -> str:
    """« 1er décembre », "December 1": a date in the current year."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if is_french():
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {dateformat.format(value, 'F')}"
    return dateformat.format(value, "F j")


def time_short(value: time | datetime | None) -> str:
    """« 9 h 00 », « 14 h 30 » (24 hours, no-break spaces); "9:00 a.m.", "2:30 p.m."."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if is_french():
        return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"
    return dateformat.time_format(value, "g:i a")


def datetime_long(value: datetime | None, *, weekday: bool = False) -> str:
    """« 1er janvier 2026 à 9 h 00 »; "January 1, 2026, 9:00 a.m."."""
    if value in (None, ""):
        return ""
    value = _local(value)
    day = date_long(value, weekday=weekday)
    return f"{day} à {time_short(value)}" if is_french() else f"{day}, {time_short(value)}"


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value, decimals: int = 0) -> str:
    """12 500,5 or 12,500.5: grouped thousands, the language's decimal mark."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return formats.number_format(amount, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


def money(value, decimals: int = 0) -> str:
    """An amount in dollars: « 12 500 $ », « -1 500,25 $ »; "$12,500", "-$1,500.25"."""
    amount = _decimal(value)
    if amount is None:
        return ""
    text = number(abs(amount), decimals)
    sign = "-" if amount < 0 and text.strip("0,. \u00a0") else ""
    if is_french():
        return f"{sign}{text}{NARROW_NBSP}$"
    return f"{sign}${text}"


def percent(value, decimals: int = 0) -> str:
    """« 100 % », « 12,5 % »; "100%", "12.5%"."""
    amount = _decimal(value)
    if amount is None:
        return ""
    text = formats.number_format(amount, decimal_pos=int(decimals), use_l10n=True)
    return f"{text}{NARROW_NBSP}%" if is_french() else f"{text}%"
