"""Small presentation helpers shared by every app's templates."""

from django import template
from django.utils.http import urlencode

from members.templatetags.formatting import FILTERS, money, percent  # noqa: F401 (Python callers import them here)

register = template.Library()


@register.filter
def html_lang(language_code):
    """fr-ca → fr-CA, for the html lang attribute."""
    language, _sep, country = (language_code or "").partition("-")
    return f"{language}-{country.upper()}" if country else language


# The formatting filters (money, percent, date_long, time_short…) are those of
# members.formatting, so that a page loading `ui` writes amounts and dates as the emails
# and PDFs do.
for _name, _filter in FILTERS.items():
    register.filter(_name, _filter)


@register.simple_tag(takes_context=True)
def query_page(context, number, param=""):
    """The current query string on page `number`, for a list paged by `param` (default
    "page"; a page with two paged lists names the second's)."""
    return query_with(context, **{param or "page": number})


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"
