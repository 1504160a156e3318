"""The charts of pages and PDFs (members.documents.charts): labels that wrap or abbreviate
without reading alike, round axes, a tooltip on every mark and a description that lists
every label and value; the bilan's sector chart in its PDF; valid HTML."""

import io
import json
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from members.documents.charts import (
    ELLIPSIS,
    Network,
    NetworkEdge,
    NetworkNode,
    bar_chart,
    fit_labels,
    growth_chart,
    hbar_chart,
    load_chart,
    network_svg,
    nice_ticks,
    text_width,
)
from members.models import Sector
from tables import services
from tables.bilan import bilan_charts
from tables.indicators import process_indicators
from tables.models import Attendance, Bilan, Document, Meeting
from tables.services.documents import document_request
from tests.factories import MembershipFactory, OrganisationFactory
from tests.site.test_html_valid import VNU_JAR, vnu_available

SVG = "{http://www.w3.org/2000/svg}"
PUBLIC = [
    "Institutionnel public – santé et services sociaux",
    "Institutionnel public – éducation",
    "Institutionnel public – emploi",
]


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr-ca"):
        yield


def parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def marks(svg) -> list[ElementTree.Element]:
    return [g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "mark"]


def drawn_label(mark) -> str:
    """What a mark's label reads on the picture, its lines joined."""
    text = mark.find(f"{SVG}text")
    lines = [tspan.text for tspan in text.findall(f"{SVG}tspan")] or [text.text]
    return " ".join(lines)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


# Labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "max_lines"), [(40, 2), (60, 2), (60, 3), (90, 1), (200, 1)])
def test_three_public_institution_sectors_never_read_alike(width, max_lines):
    fitted = fit_labels(PUBLIC, width=width, size=10, max_lines=max_lines)

    assert len(set(fitted)) == 3
    assert all(len(lines) <= max_lines for lines in fitted)
    assert all(text_width(line, 10) <= width for lines in fitted for line in lines)


def test_a_long_label_wraps_then_ends_with_an_ellipsis():
    label = "Comité régional de concertation en sécurité alimentaire et en logement communautaire"

    (lines,) = fit_labels([label], width=100, size=10, max_lines=3)

    assert len(lines) == 3 and lines[-1].endswith(ELLIPSIS)
    assert " ".join(lines).rstrip(ELLIPSIS) in label


def test_a_label_that_fits_is_left_whole():
    assert fit_labels(["Communautaire", "Privé"], width=200, size=10) == [("Communautaire",), ("Privé",)]


def test_labels_equal_in_full_stay_equal():
    assert fit_labels(["03-05", "03-05"], width=200, size=10) == [("03-05",), ("03-05",)]


def test_the_column_chart_draws_three_distinct_sector_labels_in_lines():
    svg = bar_chart([(label, 50) for label in PUBLIC], title="Présence", chart_id="c")

    drawn = [drawn_label(mark) for mark in marks(svg)]

    assert len(set(drawn)) == 3
    # The longest wraps on lines of its column rather than running into its neighbours.
    assert len(marks(svg)[0].find(f"{SVG}text").findall(f"{SVG}tspan")) >= 2


# Axes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (7, [0, 2, 4, 6, 8]),
        (23, [0, 5, 10, 15, 20, 25]),
        (1234, [0, 500, 1000, 1500]),
        (100, [0, 20, 40, 60, 80, 100]),
        (0.3, [0, 0.1, 0.2, 0.3]),
        (0, [0, 1]),
        (None, [0, 1]),
    ],
)
def test_ticks_are_round_numbers(maximum, ticks):
    assert nice_ticks(maximum) == pytest.approx(ticks)


def test_counts_have_no_fractional_ticks():
    assert nice_ticks(2, integer=True) == [0, 1, 2]


def test_the_axis_of_a_column_chart_reads_round_values():
    svg = bar_chart([("a", 7), ("b", 3)], title="Heures", unit="h", chart_id="c")

    ticks = [t.text for t in parse(svg).findall(f"{SVG}text") if t.get("text-anchor") == "end"]

    assert [normalised(t) for t in ticks] == ["0 h", "2 h", "4 h", "6 h", "8 h"]


# Tooltips and descriptions ---------------------------------------------------------------

ROWS = [("Communautaire", 80), (PUBLIC[0], 45), (PUBLIC[1], None), (PUBLIC[2], 100)]


def every_chart():
    return {
        "columns": bar_chart(ROWS, title="Présence", description="Part des rencontres.", chart_id="c"),
        "bars": hbar_chart(
            [(label, value, None) for label, value in ROWS], title="Présence", chart_id="h", max_value=100
        ),
        "stacked": growth_chart(
            [(label, 2, value or 0) for label, value in ROWS], title="Liens", chart_id="g"
        ),
    }


@pytest.mark.parametrize("kind", ["columns", "bars", "stacked"])
def test_every_bar_has_a_title_with_its_full_label(kind):
    svg = every_chart()[kind]

    titles = [mark.find(f"{SVG}title").text for mark in marks(svg)]

    assert len(titles) == len(ROWS)
    assert all(title.startswith(label) for title, (label, _value) in zip(titles, ROWS, strict=True))


def test_the_description_lists_every_label_and_value():
    svg = every_chart()["columns"]

    description = normalised(parse(svg).find(f"{SVG}desc").text)

    assert description.startswith("Part des rencontres.")
    assert all(f"{label} : " in description for label, _value in ROWS)
    assert "80 %" in description and "45 %" in description and "100 %" in description


@pytest.mark.parametrize("kind", ["columns", "bars", "stacked"])
def test_a_chart_is_one_image_named_and_described(kind):
    root = parse(every_chart()[kind])

    assert root.get("role") == "img" and "viewBox" in root.attrib
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id") and title.text in {"Présence", "Liens"}
    assert root.get("aria-describedby") == desc.get("id")
    assert "style=" not in str(every_chart()[kind]) and "var(" not in str(every_chart()[kind])


def test_the_load_chart_is_in_hours_on_a_round_axis():
    months = [SimpleNamespace(month=date(2025, m, 1), hours=h) for m, h in ((1, 3.5), (2, 0), (3, 11))]
    load = SimpleNamespace(organisation="CIUSSS de la Capitale-Nationale", months=months)

    root = parse(load_chart(load))

    assert "CIUSSS de la Capitale-Nationale" in root.find(f"{SVG}title").text
    assert normalised(root.find(f"{SVG}desc").text).endswith("mars 25 : 11 h.")


# The network (regional view and funding dashboard) ---------------------------------------


def test_the_network_names_every_node_in_full_and_keeps_alike_acronyms_apart():
    nodes = [
        NetworkNode(1, "CDC", name="CDC de Charlesbourg", size=2),
        NetworkNode(2, "CDC", name="CDC de Beauport", size=1),
        NetworkNode(3, "Moisson Québec", size=1),
    ]
    svg = network_svg(
        Network(nodes, [NetworkEdge(1, 2, 1), NetworkEdge(2, 3, 2)]),
        title="Réseau",
        description="Organismes.",
        chart_id="n",
        size_unit="liens",
    )

    root = parse(svg)
    drawn = [g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(set(drawn)) == 3
    description = normalised(root.find(f"{SVG}desc").text)
    assert all(name in description for name in ("CDC de Charlesbourg", "CDC de Beauport", "Moisson Québec"))
    assert root.get("role") == "img" and root.get("class") == "network"


# The bilan, in its page and its PDF ------------------------------------------------------

YEAR = 2025


@pytest.fixture
def public_sectors(world):
    """Table A with one organisation of each public institution sector, all present at
    a meeting held in 2025."""
    starts = timezone.make_aware(datetime(YEAR, 5, 5, 9))
    meeting = services.meeting_create(
        table=world.table_a,
        by=None,
        title="Rencontre",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Salle",
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    for sector in (Sector.PUBLIC_HEALTH, Sector.PUBLIC_EDUCATION, Sector.PUBLIC_EMPLOYMENT):
        membership = MembershipFactory(table=world.table_a, organisation=OrganisationFactory(sector=sector))
        Attendance.objects.create(meeting=meeting, membership=membership, present=True)
    return Bilan.objects.create(
        table=world.table_a, title="Bilan annuel 2025", starts=date(YEAR, 1, 1), ends=date(YEAR, 12, 31)
    )


PUBLIC_LABELS = [
    str(label)
    for label in (Sector.PUBLIC_HEALTH.label, Sector.PUBLIC_EDUCATION.label, Sector.PUBLIC_EMPLOYMENT.label)
]


@pytest.mark.django_db
def test_the_bilan_sector_chart_reads_each_sector(world, public_sectors):
    result = process_indicators(world.table_a, public_sectors.starts, public_sectors.ends)

    svg = bilan_charts(result)["sectors"]

    drawn = {normalised(drawn_label(mark)) for mark in marks(svg)}
    assert {normalised(label) for label in PUBLIC_LABELS} <= drawn


@pytest.mark.django_db
def test_the_bilan_pdf_shows_the_sectors_in_full(world, public_sectors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(source=public_sectors, kind="bilan", language="fr-ca")

    document = Document.objects.get(pk=document.pk)
    assert document.status == "ready", document.error
    with document.file.open("rb") as file:
        text = normalised(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages))
    # Each sector in full twice: drawn by the chart, and in the table that follows it.
    assert all(text.count(normalised(label)) >= 2 for label in PUBLIC_LABELS), text


@pytest.mark.django_db
def test_pages_with_charts_are_valid_html(world, public_sectors, client_for, tmp_path):
    vnu_available()
    client = client_for("coordinator")
    pages = {
        "bilan": reverse("tables:bilan-detail", args=[world.table_a.slug, public_sectors.pk]),
        "indicators": reverse("tables:indicators", args=[world.table_a.slug]) + f"?year={YEAR}",
        "ownership": reverse("tables:ownership", args=[world.table_a.slug]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "<svg" in response.text, name
        (tmp_path / f"{name}.html").write_text(response.text)
    # The charts the pages above do not show, in a page of their own.
    charts = [
        *every_chart().values(),
        network_svg(
            Network(
                [NetworkNode(1, "A"), NetworkNode(2, "B", group="x", group_label="Communautaire")],
                [NetworkEdge(1, 2)],
            ),
            title="Réseau",
            description="",
            chart_id="n",
        ),
    ]
    figures = "".join(f"<figure>{chart}</figure>" for chart in charts)
    (tmp_path / "charts.html").write_text(
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Graphiques</title></head>'
        f"<body><main>{figures}</main></body></html>"
    )

    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [f"{Path(m['url']).name} line {m.get('lastLine')}: {m['message']}" for m in messages]
    assert problems == []
