"""Throughput of the document queue: N documents queued at once, made by 1 or 2 real
Celery workers (one process each); checks that none is lost and none is made twice."""

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUEUE_SCRIPT = """
import os, json, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
import django; django.setup()
from django.contrib.contenttypes.models import ContentType
from tables.models import Document, Meeting
from tables.tasks.documents import render_document
Document.objects.filter(source_version__startswith="throughput").delete()
meetings = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[:{documents}])
kind = ContentType.objects.get_for_model(Meeting)
documents = Document.objects.bulk_create(
    Document(
        kind="agenda", language="fr-ca", content_type=kind, object_id=pk, source_version=f"throughput-{{pk}}"
    )
    for pk in meetings
)
started = time.time()
for document in documents:
    render_document.delay(document.pk)
print(json.dumps({{"queued": len(documents), "started": started}}))
"""

COUNT_SCRIPT = """
import os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")
import django; django.setup()
from django.db.models import Count, Max
from tables.models import Document
rows = Document.objects.filter(source_version__startswith="throughput")
files = [d.file.name for d in rows.filter(status="ready")]
print(json.dumps({
    "ready": rows.filter(status="ready").count(),
    "failed": rows.filter(status="failed").count(),
    "attempts_max": rows.aggregate(m=Max("attempts"))["m"],
    "distinct_files": len(set(files)),
    "last_finished": max((d.finished_at.timestamp() for d in rows.exclude(finished_at=None)), default=0),
}))
"""


def _python(script, env):
    import json

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_throughput(env, *, workers, documents):
    env = {**env, "CELERY_TASK_ALWAYS_EAGER": "false"}
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "concertation", "purge", "-f"], cwd=ROOT, env=env, check=True
    )
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "concertation",
                "worker",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench{n}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    try:
        time.sleep(4)
        queued = _python(QUEUE_SCRIPT.format(documents=documents), env)
        deadline = time.time() + 1800
        while time.time() < deadline:
            counts = _python(COUNT_SCRIPT, env)
            if counts["ready"] + counts["failed"] >= queued["queued"]:
                break
            time.sleep(2)
        seconds = round(counts["last_finished"] - queued["started"], 1)
        return {
            "documents": queued["queued"],
            "ready": counts["ready"],
            "failed": counts["failed"],
            "lost": queued["queued"] - counts["ready"] - counts["failed"],
            "duplicated": counts["ready"] - counts["distinct_files"],
            "attempts_max": counts["attempts_max"],
            "seconds": seconds,
            "per_minute": round(60 * counts["ready"] / seconds, 1) if seconds else None,
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
