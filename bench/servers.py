"""gunicorn on loopback as production runs it, and small HTTP helpers, for the load and
fault benches."""

import contextlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def gunicorn(env, *, port, workers=3):
    """gunicorn serving the application on loopback, as in production."""
    command = [sys.executable, "-m", "gunicorn", "concertation.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "2", "--timeout", "60"]
    # Longer than any client's pause between requests: with gunicorn's 2 s default, a client
    # reusing its connection just as the server closes it gets a reset.
    command += ["--keep-alive", "75"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        # Behind one proxy, as in production: each simulated person sends their address.
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "concertation.settings.local",
            "CONN_MAX_AGE": "60",
            "TRUSTED_PROXY_COUNT": "1",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: fetch(f"http://127.0.0.1:{port}/healthz/")[0] == 200, 30, "gunicorn did not start")
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def wait_until(predicate, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return time.monotonic()
        time.sleep(0.25)
    raise RuntimeError(message)


def fetch(url, *, opener=None, data=None, headers=None, timeout=10):
    """(status, body) of one request; status 0 when the connection itself failed."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError:
        return 0, ""
