"""Template filters of `members.formatting`, for every app's pages, emails and PDFs:
`{{ meeting.starts_at|date_long }}` → « 1er décembre 2026 », `|date_long:"weekday"` →
« mardi 1er décembre 2026 », `|time_short` → « 9 h 00 », `|datetime_long`, `|day_month`,
`|money`, `|money:2`, `|percent`, `|percent:1`.

`tables/templatetags/ui.py` registers the same filters, so that a template loading `ui`
has them too."""

from django import template

from members import formatting

register = template.Library()


@register.filter
def date_long(value, weekday=""):
    return formatting.date_long(value, weekday=bool(weekday))


@register.filter
def datetime_long(value, weekday=""):
    return formatting.datetime_long(value, weekday=bool(weekday))


@register.filter
def day_month(value):
    return formatting.day_month(value)


@register.filter
def time_short(value):
    return formatting.time_short(value)


@register.filter
def money(value, decimals=0):
    """An amount in dollars written as in the active language: 12 500 $ or $12,500."""
    return formatting.money(value, int(decimals))


@register.filter
def percent(value, decimals=0):
    return formatting.percent(value, int(decimals))


FILTERS = {name: register.filters[name] for name in register.filters}
