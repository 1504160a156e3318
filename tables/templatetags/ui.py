"""Small presentation helpers shared by every app's templates."""

from decimal import Decimal

from django import template
from django.utils import formats, translation
from django.utils.http import urlencode

register = template.Library()


@register.filter
def html_lang(language_code):
    """fr-ca → fr-CA, for the html lang attribute."""
    language, _sep, country = (language_code or "").partition("-")
    return f"{language}-{country.upper()}" if country else language


@register.filter
def money(value, decimals=0):
    """An amount in dollars written as in the active language: 12 500 $ or $12,500."""
    if value in (None, ""):
        return ""
    amount = formats.number_format(
        Decimal(value), decimal_pos=int(decimals), use_l10n=True, force_grouping=True
    )
    if translation.get_language().startswith("fr"):
        return f"{amount}\xa0$"
    return f"${amount}"


@register.filter
def percent(value, decimals=0):
    if value in (None, ""):
        return ""
    number = formats.number_format(value, decimal_pos=int(decimals), use_l10n=True)
    return f"{number}\xa0%" if translation.get_language().startswith("fr") else f"{number}%"


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
