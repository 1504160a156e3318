"""Write bench/README.md from bench/results.json."""

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"

INTRO = """# Benchmarks

Every figure below is produced by `make bench` (that is `python -m bench.run`), which needs
PostgreSQL and Redis on loopback (as `bash .ci/run` starts them). It seeds a fresh database
at each scale with `seed_demo --scale N`, measures every main page of every role with
Django's test client (server time, without the network) against a trivial view requested
with the same role's session right after each page's requests (so that both are measured
over the same minutes of a machine whose speed drifts), times the PDFs, the document queue
with real Celery workers and a locust load test against gunicorn + PostgreSQL + Redis. Raw
figures: `bench/results.json`.

Targets (issue 7): a page's query count does not depend on the scale; p95 under 150 ms and
under 10 × the trivial view at `--scale 50`; zero load-test errors; no document lost or
made twice.
"""


def _pages_table(results):
    scales = list(results["scales"])
    rows = {}
    for scale in scales:
        for page in results["scales"][scale]["pages"]:
            rows.setdefault((page["page"], page["role"]), {})[scale] = page
    last = scales[-1]
    lines = [
        "| page | role | "
        + " | ".join(f"queries @{s}" for s in scales)
        + f" | p50 ms @{last} | p95 ms @{last} | × trivial (same role) |",
        "|---|---|" + "---|" * len(scales) + "---|---|---|",
    ]
    for (name, role), by_scale in rows.items():
        figures = by_scale.get(last, {})
        lines.append(
            f"| {name} | {role} | "
            + " | ".join(str(by_scale.get(s, {}).get("queries", "—")) for s in scales)
            + f" | {figures.get('p50_ms', '—')} | {figures.get('p95_ms', '—')} | "
            + str(figures.get("ratio_p95", "—"))
            + " |"
        )
    return "\n".join(lines)


FINDINGS = """## What the runs found, and what changed

- Scale 50, first run: the shared calendar (a month is 1,100 meetings) had p95 250-320 ms
  and 323 KiB of HTML, the organisation directory 100-125 ms, both growing with the data.
  Now the calendar shows 100 lines a page and reads the month as plain rows; the directory
  counts tables for the page's organisations only. Every page is under 150 ms at p95.
- The 10 x trivial-view target at scale 50: 27 of 123 page × role pairs on 2026-11-22
  (11 the day before); every page under 150 ms at p95 (max 118 ms), query counts the same
  at both scales. Two rounds of work:
  - Queries whose count stayed flat but whose time grew with the network, found with
    `python -m bench.scans` (every distinct query of every main page explained by
    PostgreSQL; sequential scans and sorts over 3,000 rows flagged) and fixed, figures
    from EXPLAIN ANALYZE at scale 50: the resolution register joined every meeting of the
    network to sort by date (45 -> 1 ms); the table cards counted members by joining every
    membership before cutting the page (17.6 -> 0.6 ms); the call list grouped every
    application of every call, for the page and for its counts (15 + 2 x 5 -> 2 + 2 x 1
    ms; an index on the closing date, 0.4 ms); the directory sorted 12,500 organisations
    for thirty (10.8 -> 0.1 ms, index on the name); a person's projects OR-ed three ways in
    over 10,000 projects (5.7 -> 0.2 ms, a UNION); the meeting form's secretaries OR-ed
    over 25,000 people (5.6 -> 0.3 ms, a UNION); the funder filter sorted every call
    share for DISTINCT (12 -> 2.7 ms, EXISTS). The plan page computed its documents'
    fingerprint three times with five queries each (now once, in one hand-written
    statement: the ORM spent 7 ms building it; 11 -> 0.8 ms), and the call list shows
    twenty open calls a page instead of fifty.
  - Measured on the same machine, before and after, alternating (median of 15 requests,
    best of two runs): register 62 -> 29 ms, anonymous home 15 -> 7, the call list 61-87
    -> 32-43, the table list 25-37 -> 17-20, the plan 80-88 -> 52-54.
  The trivial view's p95 is 1.2 ms for a visitor and 2.7-3.4 ms signed in on this
  machine, so 10 x is 12 ms and 27-34 ms, less than the layout and a handful of queries
  cost on most pages. Profiling every main page: about half of the time is Django's template engine,
  a third the ORM building queries and making objects, the rest the database. What is
  left above 10 x is that work, not queries that grow: reaching 10 x everywhere would
  mean serving whole pages from a cache per person, and then a delegate removed from a
  table, a decision recorded or a meeting moved would show late unless every write
  (bulk updates included) invalidated the right pages. Not done: correctness first.
- Earlier (2026-11-21): an organisation's monthly load checked attendance for every
  meeting of the year in the whole network (21 -> 0.8 ms, and cached per viewer scope);
  drop-down lists and inputs are written in Python with the templates' markup (Django
  includes a template per option): p50 of attendance 39-47 -> 25-30 ms, new meeting
  16-18 -> 12-15, calendars 20-24 -> 9-15.
- This machine's speed drifts (the same trivial view at p50 0.8 ms, then 2.5 ms, minutes
  apart): the trivial view is now timed right after each page, as many times, and a
  role's baseline pools those samples. Timing it between a page's own requests gave
  3-4 ms signed in (it paid for the page's garbage and cold caches) and flattered the
  ratio (66 of 123): not kept.
- Load, first runs: 429s at sign-in (allauth counted every simulated
  person as one address, as it would count everyone behind the production proxy) and
  connection resets (gunicorn's 2 s keep-alive closing connections clients were about to
  reuse). Now `TRUSTED_PROXY_COUNT` makes allauth read X-Forwarded-For and gunicorn keeps
  connections 75 s: zero errors at 50 and 200 users. 200 users pausing 1-3 s ask for about
  100 requests/s; this 2-core machine serves about 50, so they wait 3-4 s: more cores, or
  more machines behind the proxy, for that many at once.
- Faults: the requests that fail while PostgreSQL restarts now get a 503 page asking to
  try again in a few seconds (they were 500s); a PDF asked for while Redis is down is
  queued by the next sweep after Redis is back (it waited 2 minutes: 170 s, now 50 s).
- With funding at scale (eight yearly calls per synthetic table: 2,000 calls and 10,000
  applications at scale 50) an administrator's network-wide dashboard took 5.5 s: a
  quadratic step in the network-growth table (now linear) and every call listed on the
  page and in the call filter. It now shows the 24 most recent calls unless one is chosen
  (and says so), and the call list pages open and closed calls twenty at a time.
- The funders' dashboard at 10x funding data (`python -m bench.funding_dashboard`) had p95
  190-200 ms for a p50 of 72 ms: the garbage collector's full passes walking Django's
  long-lived objects during requests. WSGI workers now freeze what they loaded: p95 97-111
  ms. The page figures above are measured in that state too.
- Worker killed mid-render (tests in CI, `tests/tables/test_documents_worker.py`): the
  claim is renewed by a heartbeat, so another worker takes the document within seconds.
"""


def _once_sections(scale, entry):
    """The figures measured on one scale only: PDFs, document queue, load, faults."""
    parts = []
    if "pdfs" in entry:
        parts += [
            f"## PDFs (median, fresh render, scale {scale})\n",
            "| document | pages | gathering ms | WeasyPrint ms |",
            "|---|---|---|---|",
        ]
        parts += [
            f"| {name} | {v['pages']} | {v['gather_ms']} | {v['render_ms']} |"
            for name, v in entry["pdfs"].items()
        ]
        parts.append("")
    if "throughput" in entry:
        parts += [
            f"## Document queue (scale {scale})\n",
            "| workers | documents | ready | lost | duplicated | seconds | per minute |",
            "|---|---|---|---|---|---|---|",
        ]
        parts += [
            f"| {w} | {v['documents']} | {v['ready']} | {v['lost']} | {v['duplicated']} "
            f"| {v['seconds']} | {v['per_minute']} |"
            for w, v in entry["throughput"].items()
        ]
        parts.append("")
    if "load" in entry:
        parts += [
            f"## Load (60 s, locust, gunicorn 3 workers × 2 threads, scale {scale})\n",
            "| users | requests | failures | requests/s | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|",
        ]
        parts += [
            f"| {u} | {v['requests']} | {v['failures']} | {v['requests_per_second']} "
            f"| {v['p50_ms']} | {v['p95_ms']} |"
            for u, v in entry["load"].items()
        ]
        parts.append("")
    if "faults" in entry:
        restart, outage = entry["faults"]["postgres_restart"], entry["faults"]["redis_outage"]
        parts += [
            f"## Faults (real services stopped, scale {scale})\n",
            f"- PostgreSQL restarted under a steady load ({restart['requests']} requests in 40 s): "
            f"the restart took {restart['restart_seconds']} s, {restart['failed']} requests failed "
            f"(statuses {restart['failed_statuses']}) over {restart['failing_for_seconds']} s; "
            "recovered without restarting gunicorn: "
            f"{'yes' if restart['recovered_without_restart'] else 'NO'}.",
            f"- Redis stopped for {outage['redis_down_seconds']} s: every page answered 200: "
            f"{'yes' if outage['every_page_answered_200'] else 'NO'} ({outage['pages_while_down']}); "
            f"asking for a PDF answered {outage['pdf_request_status']} and said it was queued: "
            f"{'yes' if outage['pdf_said_queued'] else 'NO'}; the PDF was made "
            f"{outage['pdf_made_seconds_after_redis_back']} s after Redis came back "
            "(beat's sweeper, every minute, queues again a document whose task could not be sent).",
            "",
        ]
    if "remeasured" in entry:
        parts.append(
            f"Measured again on the scale-{scale} database after fixes: "
            + ", ".join(f"{part} ({when})" for part, when in entry["remeasured"].items())
            + ".\n"
        )
    return parts


def write_readme(results):
    machine = results["machine"]
    parts = [
        INTRO,
        f"Measured {results['measured_at']} on {machine['cpus']} CPUs, {machine['memory_gb']} GiB, "
        f"Python {machine['python']} ({machine['platform']}).\n",
        "## Data\n",
        "| scale | seconds to seed | "
        + " | ".join(next(iter(results["scales"].values()))["seed"]["rows"])
        + " |",
        "|---|---|" + "---|" * len(next(iter(results["scales"].values()))["seed"]["rows"]),
    ]
    for scale, entry in results["scales"].items():
        parts.append(
            f"| {scale} | {entry['seed']['seconds']} | "
            + " | ".join(str(v) for v in entry["seed"]["rows"].values())
            + " |"
        )
    parts += ["", "## Pages\n", _pages_table(results), ""]
    homes = {scale: entry["home"] for scale, entry in results["scales"].items() if "home" in entry}
    if homes:
        roles = [row["role"] for row in next(iter(homes.values())) if row["page"] == "home"]
        header = " | ".join(f"queries @{scale} | p95 ms @{scale}" for scale in homes)
        parts += [
            "## Home with its « À faire » list\n",
            "Each role's home page alone, measured again after the list of what waits on each person "
            "(`python -m bench.run --again home --scales N`).\n",
            f"| role | {header} |",
            "|---|" + "---|---|" * len(homes),
        ]
        for role in roles:
            cells = []
            for rows in homes.values():
                row = next((r for r in rows if r["page"] == "home" and r["role"] == role), None)
                cells += [str(row["queries"]), str(row["p95_ms"])] if row else ["", ""]
            parts.append(f"| {role} | " + " | ".join(cells) + " |")
        parts.append("")
    digests = [(scale, entry["digests"]) for scale, entry in results["scales"].items() if "digests" in entry]
    if digests:
        parts += [
            "## Digests\n",
            "Two items waiting for each person's daily digest, sent by one worker (`bench/digests.py`), "
            "then sent again.\n",
            "| scale | people | emails | minutes | ms a person | emails on the rerun |",
            "|---|---|---|---|---|---|",
            *(
                f"| {scale} | {d['people']} | {d['emails']} | {d['minutes']} | {d['per_person_ms']} | "
                f"{d['duplicates_on_rerun']} |"
                for scale, d in digests
            ),
            "",
        ]
    closing = [
        (scale, entry["consultations"])
        for scale, entry in results["scales"].items()
        if "consultations" in entry
    ]
    if closing:
        parts += [
            "## Closing a consultation\n",
            "A consultation of 50 member organisations, each answering, closed by the coordination: "
            "results computed, everyone consulted told (100 people), and for the vote the resolution "
            "recorded in the register (`bench/consultations.py`).\n",
            "| scale | kind | ms | queries |",
            "|---|---|---|---|",
            *(
                line
                for scale, c in closing
                for line in (
                    f"| {scale} | opinion | {c['close_avis_ms']} | {c['close_avis_queries']} |",
                    f"| {scale} | electronic vote | {c['close_vote_ms']} | {c['close_vote_queries']} |",
                )
            ),
            "",
        ]
    clashes = [(scale, entry["clashes"]) for scale, entry in results["scales"].items() if "clashes" in entry]
    if clashes:
        parts += [
            "## Meeting clashes\n",
            "Meetings of tables sharing member organisations at overlapping times "
            "(`bench/clashes.py`), cache bypassed: queries, milliseconds (fastest / median).\n",
            "| scale | detection | queries | ms | clashes | organisations |",
            "|---|---|---|---|---|---|",
            *(
                f"| {scale} | {label} | {row['queries']} | {row['ms_min']} / {row['ms_p50']} | "
                f"{row['clashes']} | {row['organisations_affected']} |"
                for scale, c in clashes
                for label, row in c["detection"].items()
            ),
            "",
        ]
    imported = [
        (scale, entry["member_import"])
        for scale, entry in results["scales"].items()
        if "member_import" in entry
    ]
    if imported:
        parts += [
            "## Importing a member list\n",
            "An XLSX member list read, previewed and imported in one transaction, rolled back "
            "(`bench/member_import.py`).\n",
            "| rows | seconds, read to imported | peak memory (MiB) |",
            "|---|---|---|",
            *(
                f"| {m['rows']} | {m['seconds_read_to_imported']} | {m['peak_mib']} |"
                for _scale, m in imported
            ),
            "",
        ]
    for scale, entry in results["scales"].items():
        parts += _once_sections(scale, entry)
    parts.append(FINDINGS)
    README.write_text("\n".join(parts))
