"""Shared fixtures: a small world with one person per role, and the rules for tests that
need real services.

Tests marked needs_postgres / needs_redis / needs_worker / needs_chromium skip with a reason
on a machine without those services, and fail instead when CI=true, so that CI can never
go green by skipping them.
"""

import os
import shutil
from functools import cached_property
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import (
    CoordinatorFactory,
    DelegationFactory,
    FunderStaffFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
    meeting_with_agenda,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_available():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _redis_available():
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _chromium_available():
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return shutil.which("chromium") is not None or os.path.exists("/usr/bin/chromium")


REQUIREMENTS = {
    "needs_postgres": (_postgres_available, "PostgreSQL (set DATABASE_URL=postgres://…)"),
    "needs_redis": (_redis_available, "Redis (set REDIS_URL=redis://…)"),
    "needs_worker": (
        lambda: _postgres_available() and _redis_available(),
        "a Celery worker, which needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
    "needs_chromium": (_chromium_available, "headless Chromium at /usr/bin/chromium and playwright"),
}
_checked = {}


# The longest tests (whole-demo walks, browsers, accessibility): started first, so that
# the xdist workers finish together instead of one running them alone at the end.
LONGEST_FIRST = (
    "tests/e2e/test_accessibility.py",
    "tests/e2e/test_phone_width.py",
    "tests/site/test_side_channels.py",
    "tests/funding/test_pages_quality.py",
    "tests/site/test_fuzz.py",
    "tests/site/test_html_valid.py",
    "tests/tables/test_calendar_feeds.py",
    "tests/site/test_backups.py",
    "tests/funding/test_fuzz_forms.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {path: position for position, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_runtest_setup(item):
    for marker, (check, what) in REQUIREMENTS.items():
        if item.get_closest_marker(marker) is None:
            continue
        if marker not in _checked:
            _checked[marker] = check()
        if not _checked[marker]:
            message = f"this test needs {what}"
            if IN_CI:
                pytest.fail(f"{message}; in CI it may not be skipped", pytrace=False)
            pytest.skip(message)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


class World(SimpleNamespace):
    """Two tables and one person for each role; meetings are made on first use."""

    @cached_property
    def meeting_a(self):
        """An upcoming, planned meeting of table A, with its standard items."""
        return meeting_with_agenda(self.table_a, by=self.coordinator)

    @cached_property
    def past_meeting_a(self):
        """A meeting of table A held a month ago."""
        from tables.models import Meeting

        return meeting_with_agenda(
            self.table_a, days_ahead=-30, status=Meeting.Status.HELD, title="Rencontre passée"
        )

    @cached_property
    def plan_action(self):
        """Ids of an action of a plan of table A in co-construction, led by org_a."""
        from tests.site.permission_cases.plans import action_of

        return action_of(self)

    @cached_property
    def meeting_b(self):
        return meeting_with_agenda(self.table_b, by=self.coordinator_b)


@pytest.fixture
def world(db):
    """Table A is public and coordinated by `coordinator`; table B is private, coordinated
    by `coordinator_b`. `delegate_a` represents `org_a` at A, `delegate_b` represents
    `org_b` at B; `evaluator` works for a funder; `outsider` has an account and no role;
    `admin` is a platform admin.
    """
    table_a = TableFactory(name="Table A", slug="table-a")
    table_b = TableFactory(name="Table B", slug="table-b", visibility="private")
    membership_a = MembershipFactory(table=table_a)
    membership_b = MembershipFactory(table=table_b)
    delegation_a = DelegationFactory(membership=membership_a)
    delegation_b = DelegationFactory(membership=membership_b)
    coordinator = CoordinatorFactory(table=table_a).person
    coordinator_b = CoordinatorFactory(table=table_b).person
    staff = FunderStaffFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    return World(
        table_a=table_a,
        table_b=table_b,
        membership_a=membership_a,
        membership_b=membership_b,
        org_a=membership_a.organisation,
        org_b=membership_b.organisation,
        delegation_a=delegation_a,
        delegation_b=delegation_b,
        delegate_a=delegation_a.person,
        delegate_b=delegation_b.person,
        coordinator=coordinator,
        coordinator_b=coordinator_b,
        evaluator=staff.person,
        funder=staff.funder,
        outsider=UserFactory(),
        admin=admin,
        other_org=OrganisationFactory(),
    )


ROLES = ["anonymous", "outsider", "delegate_a", "delegate_b", "coordinator", "evaluator", "admin"]


def client_as(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


@pytest.fixture
def client_for(world):
    return lambda role: client_as(world, role)


WORKER_CLAIM_SECONDS = 4


class Worker:
    """A real `celery -A concertation worker` process on the test database and Redis."""

    def __init__(self, directory):
        self.directory = directory
        self.media_root = directory / "media"
        self.email_dir = directory / "emails"
        self.log = directory / "worker.log"
        self.process = None
        self.name = f"test-{os.getpid()}@localhost"

    def start(self, database_name):
        import subprocess
        import sys

        from django.db import connection

        settings_dict = connection.settings_dict
        url = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{database_name}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "concertation.settings.test",
            "DATABASE_URL": url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(self.media_root),
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TEST_EMAIL_FILE_PATH": str(self.email_dir),
            # Short claims, so that the tests that kill a worker see the takeover quickly.
            "DOCUMENT_CLAIM_SECONDS": str(WORKER_CLAIM_SECONDS),
        }
        command = [sys.executable, "-m", "celery", "-A", "concertation", "worker", "--loglevel=INFO"]
        command += ["--concurrency=2", "--hostname", self.name, "--without-gossip", "--without-mingle"]
        # A session of its own, so that `kill` reaches the pool's processes too.
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout=60):
        import time

        from concertation import celery_app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited: {self.log.read_text()[-3000:]}")
            replies = celery_app.control.ping(destination=[self.name], timeout=1)
            if replies:
                return
        raise RuntimeError(f"the Celery worker did not answer: {self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except Exception:
                self.process.kill()

    def kill(self):
        """SIGKILL the worker and its pool at once, as a machine losing power would."""
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def emails(self):
        return sorted(self.email_dir.glob("*.log")) if self.email_dir.exists() else []


@pytest.fixture(scope="session")
def celery_worker_process(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Start one real worker for the session (only when a needs_worker test asks for it)."""
    from django.db import connection

    from concertation import celery_app

    worker = Worker(tmp_path_factory.mktemp("worker"))
    celery_app.control.purge()
    worker.start(connection.settings_dict["NAME"])
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process, settings):
    """Send tasks to the real worker instead of running them in-process."""
    from concertation import celery_app

    settings.MEDIA_ROOT = celery_worker_process.media_root
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def smtp_server(settings):
    """Emails go through a real SMTP server on loopback for the test's duration."""
    from tests.helpers import SMTPServer

    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.stop()
