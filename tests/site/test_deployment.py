"""The production stack is right by construction: no Docker engine runs here, so these
tests read docker-compose.yml and the Dockerfile and check each against the repository."""

import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.core.management.utils import get_random_secret_key

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def command_of(service):
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_the_stack_has_every_service():
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(SERVICES)


@pytest.mark.parametrize("service", ["web", "worker", "beat", "postgres", "redis"])
def test_every_long_running_service_has_a_health_check(service):
    check = SERVICES[service]["healthcheck"]["test"]
    assert check[0] in {"CMD", "CMD-SHELL"} and len(check) > 1


def test_named_volumes_are_declared_and_data_is_persisted():
    declared = set(COMPOSE["volumes"])
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, source
    assert any(v.startswith("pgdata:") for v in SERVICES["postgres"]["volumes"])
    assert any(v.startswith("media:") for v in SERVICES["web"]["volumes"])


def test_dependencies_name_existing_services():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_build_this_repository_with_production_settings(service):
    definition = SERVICES[service]
    assert definition["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    module = definition["environment"]["DJANGO_SETTINGS_MODULE"]
    assert (ROOT / (module.replace(".", "/") + ".py")).is_file()


def test_web_runs_gunicorn_on_the_wsgi_application():
    command = command_of("web")
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert hasattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_load_the_project_app(service):
    command = command_of(service)
    assert command[:3] == ["celery", "-A", "concertation"]
    assert command[3] == {"worker": "worker", "beat": "beat"}[service]
    assert importlib.import_module("concertation").celery_app.main == "concertation"


def test_worker_health_check_uses_the_project_app():
    assert "celery -A concertation inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]


def test_migrate_runs_an_existing_management_command():
    command = command_of("migrate")
    assert command[:2] == ["python", "manage.py"]
    assert command[2] in get_commands()


def test_the_database_url_points_at_the_postgres_service():
    url = SERVICES["web"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgres://") and "@postgres:5432/" in url
    assert SERVICES["web"]["environment"]["REDIS_URL"].startswith("redis://redis:6379")


def test_secrets_have_no_default_in_compose():
    environment = SERVICES["web"]["environment"]
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
        assert re.fullmatch(r"\$\{" + name + r":\?[^}]+\}", environment[name]), name


def test_dockerfile_copies_and_runs_what_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile and (ROOT / "requirements.lock").is_file()
    assert "collectstatic" in dockerfile
    assert re.search(r'CMD \["gunicorn", "concertation\.wsgi:application"', dockerfile)


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "concertation.settings.production",
    "SECRET_KEY": get_random_secret_key(),
    "ALLOWED_HOSTS": "concertation.example.org",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    "PATH": os.environ.get("PATH", ""),
}


def run_python(*args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def run_manage(*args, env):
    return run_python("manage.py", *args, env=env)


def test_production_settings_pass_check_deploy_without_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_counts_sign_in_limits_per_person_behind_the_proxy():
    # the address allauth rate-limits, for a request that came through the TLS proxy
    script = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from allauth.core.internal.httpkit import get_client_ip;"
        "r = RequestFactory().get('/', REMOTE_ADDR='172.18.0.5', HTTP_X_FORWARDED_FOR='203.0.113.7');"
        "print(get_client_ip(r))"
    )
    result = run_python("-c", script, env=PRODUCTION_ENV)
    assert result.stdout.strip() == "203.0.113.7", result.stderr


def test_the_wsgi_application_freezes_what_it_loaded():
    script = "import gc, concertation.wsgi; print(gc.get_freeze_count())"
    result = run_python("-c", script, env=PRODUCTION_ENV)
    assert int(result.stdout.strip() or 0) > 10_000, result.stderr
