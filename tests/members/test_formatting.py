"""One way to write dates, times, amounts and percentages, in French and in English, for
pages, emails and PDFs alike (members.formatting and its template filters)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from members import formatting

NARROW = "\u202f"
NBSP = "\u00a0"


@pytest.fixture
def french():
    with translation.override("fr-ca"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 1, 1), "1er janvier 2026"),
        (date(2026, 1, 2), "2 janvier 2026"),
        (date(2026, 8, 25), "25 août 2026"),
        (date(2026, 12, 1), "1er décembre 2026"),
    ],
)
def test_a_french_date_is_in_words_with_1er_for_the_first(french, day, text):
    assert formatting.date_long(day) == text


def test_a_french_date_with_its_weekday(french):
    assert formatting.date_long(date(2026, 12, 1), weekday=True) == "mardi 1er décembre 2026"


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2026, 1, 1), "January 1, 2026"), (date(2026, 1, 2), "January 2, 2026")],
)
def test_an_english_date_is_in_words_month_first(english, day, text):
    assert formatting.date_long(day) == text


def test_an_english_date_with_its_weekday(english):
    assert formatting.date_long(date(2026, 12, 1), weekday=True) == "Tuesday, December 1, 2026"


def test_a_datetime_is_written_as_its_local_day(french):
    # 2 a.m. on 1 January in UTC is still 31 December in Montréal
    assert formatting.date_long(datetime(2026, 1, 1, 2, tzinfo=UTC)) == "31 décembre 2025"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (time(9, 0), f"9{NBSP}h{NBSP}00"),
        (time(14, 30), f"14{NBSP}h{NBSP}30"),
        (time(0, 5), f"0{NBSP}h{NBSP}05"),
    ],
)
def test_a_french_time_is_on_24_hours_with_h(french, moment, text):
    assert formatting.time_short(moment) == text


@pytest.mark.parametrize(("moment", "text"), [(time(9, 0), "9:00 a.m."), (time(14, 30), "2:30 p.m.")])
def test_an_english_time_is_on_12_hours(english, moment, text):
    assert formatting.time_short(moment) == text


def test_a_french_datetime_reads_day_then_time(french):
    moment = datetime(2026, 1, 1, 14, 0, tzinfo=UTC)  # 9 h 00 in Montréal
    assert formatting.datetime_long(moment) == f"1er janvier 2026 à 9{NBSP}h{NBSP}00"


def test_an_english_datetime_reads_day_then_time(english):
    moment = datetime(2026, 1, 1, 14, 0, tzinfo=UTC)
    assert formatting.datetime_long(moment) == "January 1, 2026, 9:00 a.m."


def test_french_day_and_month(french):
    assert formatting.day_month(date(2026, 3, 1)) == "1er mars"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(100, 0, f"100{NARROW}%"), (Decimal("12.5"), 1, f"12,5{NARROW}%"), (0, 0, f"0{NARROW}%")],
)
def test_a_french_percentage_has_a_narrow_no_break_space(french, value, decimals, text):
    assert formatting.percent(value, decimals) == text


def test_an_english_percentage_has_no_space(english):
    assert formatting.percent(100) == "100%"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("12500"), 0, f"12{NBSP}500{NARROW}$"),
        (Decimal("1234.5"), 2, f"1{NBSP}234,50{NARROW}$"),
        (Decimal("-1500.25"), 2, f"-1{NBSP}500,25{NARROW}$"),
    ],
)
def test_a_french_amount_has_grouped_thousands_and_a_narrow_space_before_the_dollar(
    french, value, decimals, text
):
    assert formatting.money(value, decimals) == text


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("12500"), 0, "$12,500"),
        (Decimal("1234.5"), 2, "$1,234.50"),
        (Decimal("-1500.25"), 2, "-$1,500.25"),
    ],
)
def test_an_english_amount_puts_the_dollar_first(english, value, decimals, text):
    assert formatting.money(value, decimals) == text


@pytest.mark.parametrize("function", [formatting.date_long, formatting.time_short, formatting.money])
def test_nothing_is_written_for_a_missing_value(french, function):
    assert function(None) == ""


@pytest.mark.parametrize(
    ("text", "spaced"),
    [
        ("Vraiment?! Oui; non!", f"Vraiment{NARROW}?! Oui{NARROW}; non{NARROW}!"),
        ("Note: à lire", f"Note{NBSP}: à lire"),
        ("à 14:30, voir https://x.example", "à 14:30, voir https://x.example"),
        ("100% des membres, 500 $", f"100{NARROW}% des membres, 500{NARROW}$"),
    ],
)
def test_french_spacing_before_high_punctuation_percent_and_dollar(text, spaced):
    assert formatting.french_spacing(text) == spaced


def render(source: str, **context) -> str:
    return Template("{% load formatting %}" + source).render(Context(context))


def test_the_template_filters_write_as_the_functions_do(french):
    text = render(
        '{{ day|date_long }} · {{ day|date_long:"weekday" }} · {{ at|time_short }} · {{ amount|money }} · '
        "{{ share|percent }}",
        day=date(2026, 12, 1),
        at=time(9, 0),
        amount=Decimal("1500"),
        share=100,
    )
    assert text == (
        f"1er décembre 2026 · mardi 1er décembre 2026 · 9{NBSP}h{NBSP}00 · 1{NBSP}500{NARROW}$ · 100{NARROW}%"
    )


def test_the_ui_library_has_the_same_filters(english):
    text = Template("{% load ui %}{{ day|date_long }} {{ amount|money:2 }}").render(
        Context({"day": date(2026, 1, 1), "amount": 12})
    )
    assert text == "January 1, 2026 $12.00"
