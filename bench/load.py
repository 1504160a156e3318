"""Load test: gunicorn (3 workers on this 2-core machine) + PostgreSQL + Redis on
loopback, locust headless for 60 s at N users; requests/s, p95 and errors. Nine in ten
signed-in users arrive with a session opened beforehand, one in ten signs in through the
form (see bench/locustfile.py)."""

import csv
import subprocess
import sys
from pathlib import Path

from bench.servers import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PORT = 8077


SESSIONS_SCRIPT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
import django; django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from members.models import User
sessions = {}
for email in sys.argv[1:]:
    user = User.objects.get(email=email)
    for _ in range(20):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.setdefault(email, []).append(session.session_key)
print(json.dumps(sessions))
"""
ACCOUNTS = ["delegue@concertation.demo", "coordination@concertation.demo", "evaluation@concertation.demo"]


def open_sessions(env):
    """Twenty signed-in sessions per demo account, written where the locustfile reads them."""
    result = subprocess.run(
        [sys.executable, "-c", SESSIONS_SCRIPT, *ACCOUNTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    path = ROOT / "bench" / ".sessions.json"
    path.write_text(result.stdout.strip().splitlines()[-1])
    return path


def load_test(env, *, users, seconds=60):
    prefix = ROOT / "bench" / f".locust-{users}"
    with gunicorn(env, port=PORT):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(max(users // 5, 1)),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            cwd=ROOT,
            env={**env, "BENCH_SESSIONS": str(open_sessions(env))},
            check=False,
            stdout=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv") as handle:
            total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
        return {
            "users": users,
            "seconds": seconds,
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "requests_per_second": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]),
        }
