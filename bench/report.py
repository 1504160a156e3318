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
- The 10 x trivial-view target is met by 11 of 123 page × role pairs at scale 50. The
  trivial view is now measured for each role with that role's session: 0.4 ms anonymous,
  1.0-1.1 ms signed in (the session and the person, read by the middleware, are paid by
  every request). 10 x is then 4 ms for a visitor and 10-11 ms for a signed-in person; the
  sign-in page (a template, no query) is at 6 x, pages with a full layout and 5-40
  queries take 4-52 ms at p50. Profiling every page (2026-11-22): about half of the time
  is Django's template engine, a quarter the ORM building queries, the rest the database
  and Python. What could be cut without caching whole pages was cut:
  - an organisation's monthly load checked attendance for every meeting of the year in
    the whole network (12,500 meetings at scale 50: 21 ms, growing with the data) instead
    of the meetings of its own tables (0.8 ms); it is now restricted to those, and cached
    per viewer scope like the regional view: the organisation page went from p50 36-51
    ms to 9-21 ms at scale 50;
  - drop-down lists and inputs are written in Python with the templates' markup (Django
    includes a template per option): p50 of attendance 39-47 -> 25-30 ms, new meeting
    16-18 -> 12-15, calendars 20-24 -> 9-15, the organisation directory 24-30 -> 14-24
    (before and after measured on the same machine and database, scale 50).
  Reaching 10 x on every page would mean serving whole pages from a cache per person:
  a page would then be as fast as the cache, but a delegate removed from a table, a
  decision recorded or a meeting moved would show late unless every write (bulk updates
  included) invalidated the right pages. Not done: the pages are 4-115 ms at p95, under
  the 150 ms target, and correctness comes first.
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
  (and says so), and the call list pages open calls fifty and closed calls twenty at a time.
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
    for scale, entry in results["scales"].items():
        parts += _once_sections(scale, entry)
    parts.append(FINDINGS)
    README.write_text("\n".join(parts))
