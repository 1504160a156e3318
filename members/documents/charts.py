"""Server-made SVG charts, the one chart module for pages and PDFs (WeasyPrint draws the
same SVG): columns (`bar_chart`, stacked `growth_chart`), horizontal bars (`hbar_chart`),
a network of tables or organisations (`network_svg`) and an organisation's meeting hours
per month (`load_chart`).

Every chart is one image to assistive technology (`role="img"`), named by its <title>
and described by its <desc>, which lists every label with its value; every mark carries
a <title> (a tooltip) with its full label and value. Labels wrap on two or three lines,
then end with "…"; two labels never read the same unless their full texts do. Axes stop
at round values (1, 2 or 5 times a power of ten). No script and no stylesheet: WeasyPrint reads the
presentation attributes, the fonts are those of the PDFs, and the picture scales by its
viewBox to a phone's width.

The pages show the same numbers in a table next to each chart."""

import math
import unicodedata
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from members.formatting import NARROW_NBSP, NBSP, is_french, number, percent

INK, MUTED, LINE, ACCENT, SOFT = "#1f2933", "#52606d", "#d9e2ec", "#1d4ed8", "#93b4f5"
# As static/css/pdf.css.
FONT_FAMILY = "'Liberation Sans', 'DejaVu Sans', Arial, Helvetica, sans-serif"
ELLIPSIS = "…"

# Distinguishable colours (Okabe and Ito, then Tableau), dark enough for white borders.
PALETTE = [
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#8c564b",
    "#9467bd",
    "#bcbd22",
    "#56b4e9",
    "#17becf",
    "#7f7f7f",
    "#1f2933",
    "#b91c1c",
    "#4d7c0f",
]

# Advance widths, in em, of DejaVu Sans, the wider of the PDFs' two fonts (and what a
# browser without Arial or Liberation Sans falls back to), rounded up; other letters are
# taken as 0.64 (lower case, digits) or 0.75 (capitals).
_WIDTHS = {
    **dict.fromkeys("ijl'", 0.28),
    **dict.fromkeys(" .,:;!I|\u00a0", 0.34),
    **dict.fromkeys("ftr()[]-/\\", 0.41),
    **dict.fromkeys('cksvxyzJ*"', 0.6),
    **dict.fromkeys("GOQ", 0.79),
    **dict.fromkeys("wM", 0.87),
    **dict.fromkeys("m%W@—…", 1.0),
    "\u202f": 0.2,
}


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` set in the charts' fonts at `size` px, on the
    generous side, so that a label estimated to fit does fit."""
    total = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        total += _WIDTHS.get(base, 0.75 if base.isupper() else 0.64)
    return total * size


# Round values on an axis ----------------------------------------------------------------


def nice_ticks(maximum, *, count: int = 5, integer: bool = False) -> list:
    """Ticks from 0 at a round step (1, 2 or 5 times a power of ten) up to the first one at or above
    `maximum`, about `count` steps: 7 → 0, 2, 4, 6, 8; 23 → 0, 5 … 25; 1 234 → 0, 500,
    1 000, 1 500. Nothing to show (0, None, negative) gives 0 and 1. With `integer`,
    the step is never below 1 (counts of things)."""
    try:
        maximum = float(maximum or 0)
    except (TypeError, ValueError):
        maximum = 0.0
    if not math.isfinite(maximum) or maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    if integer:
        step = max(step, 1)
    steps = math.ceil(maximum / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if decimals == 0:
        return [round(step * i) for i in range(steps + 1)]
    return [round(step * i, decimals) for i in range(steps + 1)]


def value_text(value, unit: str = "") -> str:
    """A value as the axis and the tooltips write it: « 45 % », « 12,5 h »; "45%"."""
    if value is None:
        return "—"
    decimals = 0 if float(value).is_integer() else 1
    if unit.strip() == "%":
        return percent(value, decimals)
    text = number(value, decimals)
    return f"{text}{NBSP}{unit.strip()}" if unit.strip() else text


def _pair(label: str, value: str) -> str:
    """« Communautaire : 45 % », "Community: 45%"."""
    return f"{label}{NBSP}: {value}" if is_french() else f"{label}: {value}"


def _listing(description: str, pairs) -> str:
    """The chart's description followed by every label and its value."""
    separator = f"{NARROW_NBSP}; " if is_french() else "; "
    listing = separator.join(_pair(label, value) for label, value in pairs)
    return " ".join(part for part in (description, f"{listing}." if listing else "") if part)


# Labels that fit -------------------------------------------------------------------------


def _with_ellipsis(text: str, width: float, size: float) -> str:
    """`text`, shortened as needed, then "…", in `width`."""
    text = text.rstrip(" :;,–-")
    while text and text_width(text + ELLIPSIS, size) > width:
        text = text[:-1].rstrip(" :;,–-")
    return text + ELLIPSIS


def _ellipsize(text: str, width: float, size: float) -> str:
    """`text` if it fits in `width`; otherwise cut, with "…"."""
    return text if text_width(text, size) <= width else _with_ellipsis(text, width, size)


def _wrap(text: str, width: float, size: float, max_lines: int) -> tuple:
    """`text` in lines no wider than `width`, broken between words, at most `max_lines`;
    when words are left over, the last line ends with "…" (as does a word wider than a
    line, cut)."""
    lines, current, left_over = [], "", False
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if not current or text_width(candidate, size) <= width:
            current = candidate
        elif len(lines) + 1 == max_lines:
            left_over = True
            break
        else:
            lines.append(current)
            current = word
    lines.append(current)
    lines = [_ellipsize(line, width, size) for line in lines]
    if left_over and not lines[-1].endswith(ELLIPSIS):
        lines[-1] = _with_ellipsis(lines[-1], width, size)
    return tuple(lines)


def _clashes(texts, fitted) -> list:
    """Groups of indexes whose labels read the same although their full texts differ."""
    by_reading = {}
    for index, lines in enumerate(fitted):
        by_reading.setdefault(lines, []).append(index)
    return [group for group in by_reading.values() if len({texts[i] for i in group}) > 1]


def _common_words(texts) -> int:
    split = [text.split() for text in texts]
    count = 0
    while all(len(words) > count for words in split) and len({words[count] for words in split}) == 1:
        count += 1
    return count


def fit_labels(labels, *, width: float, size: float, max_lines: int = 2) -> list[tuple]:
    """Each label as lines that fit in `width` px at `size` px (see `_wrap`), keeping
    labels distinct: when several would read the same ("Institutionnel public…" three
    times), the words they share are shortened to one line and what tells them apart is
    shown; failing that, their ends; failing that, a number."""
    texts = [" ".join(str(label).split()) for label in labels]
    fitted = [_wrap(text, width, size, max_lines) for text in texts]
    for attempt in ("tail", "end", "number"):
        groups = _clashes(texts, fitted)
        if not groups:
            break
        for group in groups:
            shared = _common_words([texts[i] for i in group])
            for position, index in enumerate(group, start=1):
                words = texts[index].split()
                if attempt == "tail" and shared and words[shared:]:
                    tail = " ".join(words[shared:])
                    if max_lines > 1:
                        head = _wrap(" ".join(words[:shared]), width, size, 1)
                        fitted[index] = head + _wrap(tail, width, size, max_lines - 1)
                    else:
                        room = width - text_width(" " + tail, size)
                        head = " ".join(words[:shared])
                        if room > text_width(head[:3] + ELLIPSIS, size):
                            fitted[index] = (f"{_ellipsize(head, room, size)} {tail}",)
                        else:
                            fitted[index] = (_ellipsize(ELLIPSIS + tail, width, size),)
                elif attempt == "end":
                    end = texts[index]
                    while end and text_width(ELLIPSIS + end, size) > width:
                        end = end[1:]
                    fitted[index] = (*fitted[index][: max_lines - 1], ELLIPSIS + end.lstrip())
                elif attempt == "number":
                    mark = f" ({position})"
                    last = _ellipsize(fitted[index][-1], width - text_width(mark, size), size)
                    fitted[index] = (*fitted[index][:-1], last + mark)
    return fitted


def _text(x, y, lines, *, size, anchor="middle", fill=MUTED, line_height=None, extra=""):
    """A <text> of one line, or of several <tspan> lines starting at baseline `y`."""
    line_height = line_height or round(size * 1.2, 1)
    if len(lines) == 1:
        body = escape(lines[0])
    else:
        body = "".join(
            f'<tspan x="{x:.1f}" y="{y + i * line_height:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{body}</text>"
    )


def _open(chart_id, title, description, width, height, *, css_class="chart", size=None):
    """The <svg> element, its name and its description. `size` (width, height) gives the
    picture an intrinsic size (and an id, for the network pages' script); otherwise it
    fills the width it is given."""
    if size:
        dimensions = f'width="{size[0]:.0f}" height="{size[1]:.0f}"'
        identity = f' id="{chart_id}"'
    else:
        dimensions, identity = 'width="100%"', ""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" {dimensions} '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'class="{css_class}"{identity} font-family="{FONT_FAMILY}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _close(parts):
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value in the parts is escaped or a number


# Columns ---------------------------------------------------------------------------------

COLUMN_FONT, ROTATED_LABEL_WIDTH = 10, 100


def _columns(
    rows,
    *,
    colours,
    title,
    description,
    chart_id,
    width,
    plot_h,
    top_value,
    tick_text,
    mark_title,
    integer=False,
):
    """Columns, one per row (label, [values stacked from the bottom]), on a round axis."""
    rows = list(rows)
    texts = [" ".join(str(label).split()) for label, _values in rows]
    ticks = nice_ticks(top_value, integer=integer)
    top = ticks[-1] or 1
    count = max(len(rows), 1)
    tick_room = max(text_width(tick_text(tick), 11) for tick in ticks) + 10
    slot = (width - tick_room - 8) / count
    # Labels wrap within their column, unless a word is wider than it: then they slant.
    rotated = any(text_width(word, COLUMN_FONT) > slot - 4 for text in texts for word in text.split())
    if rotated:
        fitted = fit_labels(texts, width=ROTATED_LABEL_WIDTH, size=COLUMN_FONT, max_lines=1)
        longest = max((text_width(lines[0], COLUMN_FONT) for lines in fitted), default=0)
        margin_left = max(tick_room, longest * 0.71 - slot / 2 + 4)
        slot = (width - margin_left - 8) / count
        margin_bottom = 14 + longest * 0.71
    else:
        fitted = fit_labels(texts, width=slot - 4, size=COLUMN_FONT, max_lines=3)
        margin_left = tick_room
        margin_bottom = 8 + max((len(lines) for lines in fitted), default=1) * 12
    margin_top = 12
    height = margin_top + plot_h + margin_bottom
    bar_w = max(min(slot * 0.6, 48), 4)
    parts = _open(chart_id, title, description, width, height)
    for tick in ticks:
        y = margin_top + plot_h * (1 - tick / top)
        parts.append(
            f'<line x1="{margin_left:.1f}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{LINE}" '
            f'stroke-width="1"/>' + _text(margin_left - 6, y + 4, [tick_text(tick)], size=11, anchor="end")
        )
    for index, ((_label, values), lines) in enumerate(zip(rows, fitted, strict=True)):
        x = margin_left + slot * index + (slot - bar_w) / 2
        parts.append(f'<g class="mark"><title>{escape(mark_title(texts[index], values))}</title>')
        base = margin_top + plot_h
        for value, colour in zip(values, colours, strict=False):
            if value is None or value <= 0:
                continue
            bar_h = plot_h * min(float(value), top) / top
            base -= bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{colour}"/>'
            )
        label_x, label_y = x + bar_w / 2, margin_top + plot_h + 14
        if rotated:
            parts.append(
                _text(
                    label_x,
                    label_y - 4,
                    lines,
                    size=COLUMN_FONT,
                    anchor="end",
                    extra=f' transform="rotate(-45 {label_x:.1f} {label_y - 4:.1f})"',
                )
            )
        else:
            parts.append(_text(label_x, label_y, lines, size=COLUMN_FONT, line_height=12))
        parts.append("</g>")
    return _close(parts)


def bar_chart(
    points, *, title, description="", max_value=None, unit="%", width=640, height=220, chart_id="chart"
):
    """Columns. `points` is a list of (label, value or None); the axis goes to
    `max_value` (100 for rates) or to a round value above the largest."""
    points = list(points)
    top_value = max_value if max_value is not None else max((v or 0 for _l, v in points), default=0)
    return _columns(
        [(label, [value]) for label, value in points],
        colours=[ACCENT],
        title=title,
        description=_listing(
            description, [(" ".join(str(label).split()), value_text(value, unit)) for label, value in points]
        ),
        chart_id=chart_id,
        width=width,
        plot_h=height - 76,
        top_value=top_value,
        tick_text=lambda tick: value_text(tick, unit),
        mark_title=lambda label, values: _pair(label, value_text(values[0], unit)),
    )


def growth_chart(rows, *, title, description="", chart_id="growth", width=640, height=220):
    """Stacked columns per call: links already there (light) and links new in that call
    (dark). `rows` is a list of (label, earlier, new)."""
    rows = list(rows)

    def reading(earlier, new):
        return _("%(earlier)s, and %(new)s new") % {"earlier": number(earlier), "new": number(new)}

    return _columns(
        [(label, [earlier, new]) for label, earlier, new in rows],
        colours=[SOFT, ACCENT],
        title=title,
        description=_listing(description, [(str(label), reading(e, n)) for label, e, n in rows]),
        chart_id=chart_id,
        width=width,
        plot_h=height - 76,
        top_value=max((earlier + new for _label, earlier, new in rows), default=0),
        tick_text=number,
        mark_title=lambda label, values: _pair(label, reading(*values)),
        integer=True,
    )


# Horizontal bars -------------------------------------------------------------------------


def hbar_chart(
    rows,
    *,
    title,
    description="",
    chart_id="hbar",
    width=720,
    label_width=300,
    format_value=str,
    max_value=None,
    max_lines=2,
):
    """Horizontal bars, for long labels. `rows` is a list of (label, value or None,
    second value or None): the second value, when given, is drawn lighter behind the
    first (the envelope behind what is committed). The axis below goes to `max_value`
    or to a round value above the largest."""
    rows = list(rows)
    size, line_h, bar_h, gap, top = 12, 14, 18, 10, 6
    texts = [" ".join(str(label).split()) for label, _v, _w in rows]
    fitted = fit_labels(texts, width=label_width - 14, size=size, max_lines=max_lines)
    largest = max([max(float(v or 0), float(w or 0)) for _label, v, w in rows] or [0])
    ticks = nice_ticks(max_value if max_value is not None else largest)
    scale_top = float(ticks[-1]) or 1
    plot = width - label_width - 90

    def reading(value, behind):
        if behind:
            return f"{format_value(value) if value is not None else '—'} / {format_value(behind)}"
        return format_value(value) if value is not None else "—"

    heights = [max(bar_h, len(lines) * line_h) for lines in fitted]
    axis_y = top + sum(h + gap for h in heights) - gap + 6 if rows else top + bar_h + 6
    height = axis_y + 22
    parts = _open(
        chart_id,
        title,
        _listing(description, [(text, reading(v, w)) for text, (_l, v, w) in zip(texts, rows, strict=True)]),
        width,
        height,
    )
    for tick in ticks:
        x = label_width + plot * float(tick) / scale_top
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y:.1f}" stroke="{LINE}" stroke-width="1"/>'
            + _text(x, axis_y + 14, [format_value(tick)], size=10)
        )
    y = top
    for (_label, value, behind), text, lines, row_h in zip(rows, texts, fitted, heights, strict=True):
        bar_y = y + (row_h - bar_h) / 2
        first_line = y + row_h / 2 - (len(lines) - 1) * line_h / 2 + 4
        parts.append(f'<g class="mark"><title>{escape(_pair(text, reading(value, behind)))}</title>')
        parts.append(
            _text(label_width - 8, first_line, lines, size=size, anchor="end", fill=INK, line_height=line_h)
        )
        behind_w = plot * min(float(behind), scale_top) / scale_top if behind else 0
        if behind_w:
            parts.append(
                f'<rect x="{label_width}" y="{bar_y:.1f}" width="{behind_w:.1f}" height="{bar_h}" '
                f'fill="{LINE}"/>'
            )
        w = plot * min(float(value or 0), scale_top) / scale_top
        if value is not None:
            parts.append(
                f'<rect x="{label_width}" y="{bar_y:.1f}" width="{max(w, 1):.1f}" height="{bar_h}" '
                f'fill="{ACCENT}"/>'
            )
        parts.append(
            _text(
                label_width + max(w, behind_w) + 6,
                bar_y + 13,
                [format_value(value) if value is not None else "—"],
                size=11,
                anchor="start",
            )
        )
        parts.append("</g>")
        y += row_h + gap
    return _close(parts)


# A network -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkNode:
    """What `network_svg` reads of a node (tables.regional.Node has the same fields)."""

    id: int
    label: str  # short, drawn next to the dot
    name: str = ""  # in full, in the tooltip and the description
    group: str = ""
    group_label: str = ""
    size: float = 1
    order: str = ""  # placed next to nodes of the same order first (e.g. the region)


@dataclass(frozen=True)
class NetworkEdge:
    first_id: int
    second_id: int
    weight: int = 1


@dataclass
class Network:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)


NETWORK_FONT = 11
NETWORK_LABEL_WIDTH = 190  # px: about 30 characters
# Beyond this, the picture keeps the most connected nodes; the table lists them all.
MAX_NODES = 60
MAX_NODE_RADIUS = 10


def network_svg(network, *, title, description, chart_id, size_unit=""):
    """The nodes of `network` on a circle, grouped (by theme or sector) and sorted by
    label within a group; links are curves bent towards the centre, thicker when
    stronger. The picture is an image (no links inside, so that it stays one image to
    screen readers); the table next to it links the tables and organisations, and
    static/js/regional.js lights a node's links on the regional pages. Returns an empty
    string when there is nothing to draw."""
    nodes = list(network.nodes)
    if len(nodes) > MAX_NODES:
        degree = {}
        for edge in network.edges:
            degree[edge.first_id] = degree.get(edge.first_id, 0) + edge.weight
            degree[edge.second_id] = degree.get(edge.second_id, 0) + edge.weight
        nodes = sorted(nodes, key=lambda n: -degree.get(n.id, 0))[:MAX_NODES]
    if len(nodes) < 2:
        return ""
    # Neighbours on the circle share a region (for all of Québec) and a group, so that
    # most links are short chords near the rim rather than lines across the middle.
    nodes.sort(key=lambda n: (n.order, n.group_label, n.label.casefold()))
    kept = {node.id for node in nodes}
    edges = [e for e in network.edges if e.first_id in kept and e.second_id in kept]
    names = {node.id: node.name or node.label for node in nodes}
    # Two nodes with the same short label (two acronyms alike) are named in full.
    shown = [node.label for node in nodes]
    for index, node in enumerate(nodes):
        if sum(1 for other in nodes if other.label == node.label and names[other.id] != names[node.id]):
            shown[index] = names[node.id]
    labels = {
        node.id: lines[0]
        for node, lines in zip(
            nodes, fit_labels(shown, width=NETWORK_LABEL_WIDTH, size=NETWORK_FONT, max_lines=1), strict=True
        )
    }

    groups = []
    for node in nodes:
        if node.group not in [g for g, _label in groups]:
            groups.append((node.group, node.group_label))
    colour = {group: PALETTE[i % len(PALETTE)] for i, (group, _label) in enumerate(groups)}
    legend = [(group, label) for group, label in groups if label]

    # The circle grows with the number of nodes so that neither the dots nor the labels
    # (one line each, along the radius) touch their neighbours.
    spacing = max(NETWORK_FONT + 4, 2 * MAX_NODE_RADIUS + 3)
    radius = max(130, min(420, len(nodes) * spacing / (2 * math.pi)))
    label_room = max(max(text_width(label, NETWORK_FONT) for label in labels.values()), 50)
    width = max(480, 2 * (radius + MAX_NODE_RADIUS + 10 + label_room))
    cx = cy = width / 2
    # Long group names (sectors) need the whole width on a narrow picture.
    legend_columns = 2 if width >= 760 else 1
    column = width / legend_columns
    legend_rows = math.ceil(len(legend) / legend_columns)
    height = width + (16 + legend_rows * 20 if legend else 0)
    legend_labels = fit_labels([label for _g, label in legend], width=column - 36, size=12, max_lines=1)

    # A small network is drawn larger, so that its labels read like the page's text.
    drawn = max(width, 720)

    biggest = max((n.size for n in nodes), default=1) or 1
    strongest = max((e.weight for e in edges), default=1) or 1
    position, node_radius = {}, {}
    for index, node in enumerate(nodes):
        angle = 2 * math.pi * index / len(nodes) - math.pi / 2
        position[node.id] = (angle, cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        node_radius[node.id] = 4 + (MAX_NODE_RADIUS - 4) * math.sqrt(max(node.size, 0) / biggest)

    def tooltip(node):
        text = names[node.id]
        if node.group_label:
            text += f" · {node.group_label}"
        if size_unit:
            text += f" · {node.size:g} {size_unit}"
        return text

    listing = _listing(description, [(names[n.id], f"{n.size:g} {size_unit}".strip()) for n in nodes])
    parts = _open(
        chart_id, title, listing, width, height, css_class="network", size=(drawn, height * drawn / width)
    )
    parts.append('<g class="edges" fill="none">')
    for edge in sorted(edges, key=lambda e: e.weight):
        _a, x1, y1 = position[edge.first_id]
        _b, x2, y2 = position[edge.second_id]
        # The control point pulls the curve towards the centre, as in a chord diagram.
        qx, qy = cx + ((x1 + x2) / 2 - cx) * 0.25, cy + ((y1 + y2) / 2 - cy) * 0.25
        stroke = 1 + 5 * edge.weight / strongest
        label = _("%(first)s and %(second)s: %(count)s") % {
            "first": names[edge.first_id],
            "second": names[edge.second_id],
            "count": edge.weight,
        }
        parts.append(
            f'<path class="edge" data-a="{edge.first_id}" data-b="{edge.second_id}" '
            f'd="M{x1:.1f},{y1:.1f} Q{qx:.1f},{qy:.1f} {x2:.1f},{y2:.1f}" stroke="{MUTED}" '
            f'stroke-opacity="0.45" stroke-width="{stroke:.1f}"><title>{escape(label)}</title></path>'
        )
    parts.append('</g><g class="nodes">')
    label_radius = radius + MAX_NODE_RADIUS + 5
    for node in nodes:
        angle, x, y = position[node.id]
        lx, ly = cx + label_radius * math.cos(angle), cy + label_radius * math.sin(angle)
        degrees = math.degrees(angle)
        if math.cos(angle) >= -1e-9:
            rotate, anchor = degrees, "start"
        else:
            rotate, anchor = degrees + 180, "end"
        body = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_radius[node.id]:.1f}" fill="{colour[node.group]}" '
            f'stroke="#fff" stroke-width="1.5"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" dy="0.35em" font-size="{NETWORK_FONT}" text-anchor="{anchor}" '
            f'fill="{INK}" transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">'
            f"{escape(labels[node.id])}</text>"
            f"<title>{escape(tooltip(node))}</title>"
        )
        parts.append(f'<g class="node" data-node="{node.id}">{body}</g>')
    parts.append("</g>")
    top = width + 8
    for index, ((group, label), lines) in enumerate(zip(legend, legend_labels, strict=True)):
        x = 12 + (index % legend_columns) * column
        y = top + (index // legend_columns) * 20
        parts.append(
            f"<g><title>{escape(label)}</title>"
            f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" rx="6" fill="{colour[group]}"/>'
            + _text(x + 18, y + 10, lines, size=12, anchor="start", fill=INK)
            + "</g>"
        )
    return _close(parts)


# An organisation's load ------------------------------------------------------------------


def load_chart(load, *, chart_id="organisation-load"):
    """Estimated meeting hours per month of one organisation (columns). `load` has
    `organisation` and `months` (each with `month`, a date, and `hours`), as
    tables.regional.OrganisationLoad."""
    peak = max((month.hours for month in load.months), default=0)
    return bar_chart(
        [(formats.date_format(month.month, "N y"), month.hours) for month in load.months],
        title=_("Meeting hours per month: %(organisation)s") % {"organisation": load.organisation},
        description=_("Estimated hours in meetings of tables, per month, over %(count)s months.")
        % {"count": len(load.months)},
        max_value=max(peak, 5),
        unit="h",
        chart_id=chart_id,
    )
