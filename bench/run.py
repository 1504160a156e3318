"""`make bench`: every figure of bench/README.md, measured on this machine.

    python -m bench.run [--scales 10,50] [--skip-load] [--skip-throughput] [--skip-faults]
                        [--documents 1000]

For each scale: a fresh PostgreSQL database (`bench_concertation` on the DATABASE_URL
server, default postgres@127.0.0.1), migrate, `seed_demo --scale N` (timed), then the
page figures (query count, p50/p95 server time per page and role, against a trivial view).
On the first scale also: PDF render times split into data gathering and WeasyPrint,
document throughput with 1 and 2 Celery workers, and a load test (locust, headless, 50 and
200 users for 60 s against gunicorn + PostgreSQL + Redis), then the faults of bench/faults.py
(PostgreSQL restarted under load, Redis stopped and started). Results go to
bench/results.json and the table in bench/README.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "bench_concertation"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")


def env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "concertation.settings.local",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        **extra,
    }


def run(*command, **kwargs):
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, check=True, **kwargs)


def manage(*args, **kwargs):
    return run(sys.executable, "manage.py", *args, env=env(), **kwargs)


def fresh_database():
    host = SERVER.split("@")[-1].split(":")[0]
    run("dropdb", "-h", host, "-U", "postgres", "--if-exists", "--force", DATABASE)
    run("createdb", "-h", host, "-U", "postgres", DATABASE)
    manage("migrate", "--noinput", "-v", "0")


def seed(scale):
    started = time.perf_counter()
    manage("seed_demo", f"--scale={scale}", "--allow-production")
    seconds = round(time.perf_counter() - started, 1)
    run("psql", SERVER + "/" + DATABASE, "-c", "ANALYZE", stdout=subprocess.DEVNULL)
    counts = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.counts"],
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return {"seconds": seconds, "rows": counts}


def pages(scale, only=None):
    out = ROOT / "bench" / f".pages-{scale}.json"
    options = ["--only", only] if only else []
    run(sys.executable, "-m", "bench.pages", "--repeat", "30", "--json", str(out), *options, env=env())
    return json.loads(out.read_text())["pages"]


def pdf_times():
    result = subprocess.run(
        [sys.executable, "-m", "bench.pdfs"], cwd=ROOT, env=env(), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def digest_times():
    result = subprocess.run(
        [sys.executable, "-m", "bench.digests"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def consultation_times():
    result = subprocess.run(
        [sys.executable, "-m", "bench.consultations"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def clash_times():
    """Meeting clashes across tables (bench/clashes.py), on the database as seeded."""
    out = ROOT / "bench" / ".clashes.json"
    run(sys.executable, "-m", "bench.clashes", "--repeat", "5", "--json", str(out), env=env())
    return json.loads(out.read_text())


def member_import_times():
    """Importing 5,000 member rows from XLSX (bench/member_import.py), rolled back."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.member_import"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def measure(part, args):
    """One of the figures measured once (on the first scale), on the database as it is."""
    if part == "pdfs":
        return pdf_times()
    if part == "throughput":
        from bench.throughput import measure_throughput

        return {
            w: measure_throughput(env(REDIS_URL=REDIS), workers=w, documents=args.documents) for w in (1, 2)
        }
    if part == "load":
        from bench.load import load_test

        return {users: load_test(env(REDIS_URL=REDIS), users=users) for users in (50, 200)}
    if part == "member_import":
        return member_import_times()
    if part == "faults":
        from bench.faults import faults

        return faults(env(REDIS_URL=REDIS))
    raise ValueError(part)


ONCE = ["pdfs", "member_import", "throughput", "load", "faults"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="10,50")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-faults", action="store_true", help="do not stop PostgreSQL and Redis")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument(
        "--again",
        help="measure only these parts (comma-separated: pages,home,digests,consultations,clashes,pdfs,"
        "member_import,throughput,load,faults) on the bench database as the last run left it, for the "
        "first of --scales, and merge them into results.json",
    )
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    if args.again:
        results = json.loads(RESULTS.read_text())
        entry = results["scales"].setdefault(str(scales[0]), {})
        for part in args.again.split(","):
            if part == "pages":
                entry[part] = pages(scales[0])
            elif part == "home":
                # The home page alone (its « À faire » list), after changes that touch it.
                entry[part] = pages(scales[0], only="home")
            elif part == "digests":
                entry[part] = digest_times()
            elif part == "consultations":
                entry[part] = consultation_times()
            elif part == "clashes":
                entry[part] = clash_times()
            else:
                entry[part] = measure(part, args)
            entry.setdefault("remeasured", {})[part] = time.strftime("%Y-%m-%d %H:%M")
            RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        results = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            },
            "measured_at": time.strftime("%Y-%m-%d %H:%M"),
            "scales": {},
        }
        skipped = {part for part in ONCE if getattr(args, f"skip_{part}", False)}
        for index, scale in enumerate(scales):
            fresh_database()
            entry = {
                "seed": seed(scale),
                "pages": pages(scale),
                "digests": digest_times(),
                "consultations": consultation_times(),
                "clashes": clash_times(),
            }
            if index == 0:
                for part in ONCE:
                    if part not in skipped:
                        entry[part] = measure(part, args)
            results["scales"][str(scale)] = entry
            RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    from bench.report import write_readme

    write_readme(results)
    print(f"Results in {RESULTS} and bench/README.md")


if __name__ == "__main__":
    main()
