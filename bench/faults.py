"""Faults with the real services (run by `make bench`, too long and too disruptive for CI):

- PostgreSQL restarted while gunicorn serves a steady load: how many requests failed,
  for how long, and whether the application answers again without being restarted;
- Redis stopped: pages still answer, asking for a PDF says it is queued; Redis started
  again: the PDF is made (by the worker, queued again by beat's sweeper).

Both stop services of this machine for a few seconds: never run them against a
database or a Redis that something else is using.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.servers import fetch, gunicorn, wait_until

ROOT = Path(__file__).resolve().parent.parent
PORT = 8078
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Concertation-2026"
COORDINATOR = "coordination@concertation.demo"
SLUG = "trci-capitale-nationale"
PUBLIC_PAGES = ["/", "/tables/", f"/tables/{SLUG}/", f"/tables/{SLUG}/meetings/", "/healthz/"]


@contextlib.contextmanager
def celery(env):
    """A worker with beat (the sweepers), in a session of its own so that it stops whole."""
    command = [sys.executable, "-m", "celery", "-A", "concertation", "worker", "-B", "--concurrency=1"]
    command += ["--loglevel=WARNING", "--schedule", str(ROOT / "bench" / ".celerybeat-schedule")]
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(5)
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


class Probe:
    """A steady load: a few threads requesting the public pages in turn, every answer kept
    with its time."""

    def __init__(self, urls, threads=6):
        self.urls, self.threads = urls, threads
        self.answers = []
        self.stop = threading.Event()
        self.started = time.monotonic()

    def _run(self, offset):
        index = offset
        while not self.stop.is_set():
            status, _body = fetch(BASE + self.urls[index % len(self.urls)], timeout=15)
            self.answers.append((time.monotonic() - self.started, status))
            index += 1

    def __enter__(self):
        self.workers = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=20)

    def failures(self, start=0, end=float("inf")):
        return [(t, s) for t, s in self.answers if start <= t < end and s != 200]


def postgres_cluster():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def postgres_restart(env):
    """Restart PostgreSQL 10 s into a 40 s steady load; gunicorn is never restarted."""
    with gunicorn(env, port=PORT), Probe(PUBLIC_PAGES) as probe:
        time.sleep(10)
        down_at = time.monotonic() - probe.started
        subprocess.run([*postgres_cluster(), "restart"], check=True, capture_output=True)
        up_at = time.monotonic() - probe.started
        time.sleep(30)
    failures = probe.failures()
    last_failure = max((t for t, _s in failures), default=down_at)
    return {
        "requests": len(probe.answers),
        "failed": len(failures),
        "failed_statuses": sorted({s for _t, s in failures}),
        "restart_seconds": round(up_at - down_at, 1),
        "failing_for_seconds": round(max(0.0, last_failure - down_at), 1),
        "failed_in_last_20_s": len(probe.failures(start=probe.answers[-1][0] - 20)),
        "recovered_without_restart": not probe.failures(start=up_at + 10),
    }


def signed_in(email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _status, page = fetch(f"{BASE}/accounts/login/", opener=opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    fetch(
        f"{BASE}/accounts/login/",
        opener=opener,
        data=form.encode(),
        headers={"Referer": f"{BASE}/accounts/login/"},
    )
    return opener


def ask_for_agenda(opener):
    """Ask for the agenda of the table's next meeting as the page's button does (htmx)."""
    _status, listing = fetch(f"{BASE}/tables/{SLUG}/meetings/", opener=opener)
    meeting = re.search(rf'href="(/tables/{SLUG}/meetings/\d+/)"', listing).group(1)
    _status, page = fetch(BASE + meeting, opener=opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    action = re.search(r'data-hx-post="([^"]*documents/request/)"', page).group(1)
    source = re.search(
        r'name="kind" value="agenda">\s*<input type="hidden" name="source" value="(\d+)"', page
    )
    form = urllib.parse.urlencode({"kind": "agenda", "source": source.group(1), "csrfmiddlewaretoken": token})
    headers = {"HX-Request": "true", "Referer": BASE + meeting, "X-CSRFToken": token}
    return fetch(BASE + action, opener=opener, data=form.encode(), headers=headers)


def redis_outage(env):
    """Stop Redis, use the site and ask for a PDF; start Redis, wait for the PDF."""
    redis = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379"]
    redis += ["--save", "", "--appendonly", "no"]
    with gunicorn(env, port=PORT), celery(env):
        coordinator = signed_in(COORDINATOR)
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True)
        stopped = time.monotonic()
        pages = {url: fetch(BASE + url, opener=coordinator)[0] for url in [*PUBLIC_PAGES, "/me/"]}
        status, answer = ask_for_agenda(coordinator)
        queued = status == 200 and ("Queued" in answer or "En attente" in answer)
        document = re.search(r"documents/(\d+)/\?seen=", answer)
        time.sleep(5)
        subprocess.run(redis, check=True, capture_output=True)
        restarted = time.monotonic()
        made_at = None
        if document:
            status_url = f"{BASE}/documents/{document.group(1)}/"
            with contextlib.suppress(RuntimeError):
                made_at = wait_until(
                    lambda: "download/" in fetch(status_url, opener=coordinator)[1], 300, "never made"
                )
    return {
        "pages_while_down": pages,
        "every_page_answered_200": all(code == 200 for code in pages.values()),
        "pdf_request_status": status,
        "pdf_said_queued": queued,
        "redis_down_seconds": round(restarted - stopped, 1),
        "pdf_made_seconds_after_redis_back": round(made_at - restarted, 1) if made_at else None,
    }


def faults(env):
    return {"postgres_restart": postgres_restart(env), "redis_outage": redis_outage(env)}


if __name__ == "__main__":
    import json

    print(json.dumps(faults(dict(os.environ)), indent=2))
