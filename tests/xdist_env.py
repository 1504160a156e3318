"""Each pytest-xdist worker gets a Redis database and a media folder of its own (the test
database already gets its own name from pytest-django), so that two workers never see
each other's queues, caches or files. Loaded with `-p` (pyproject.toml), before Django
reads its settings from the environment."""

import os
import re
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16

worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker:
    index = int(re.sub(r"\D", "", worker) or 0)
    if os.environ.get("REDIS_URL"):
        parts = urlsplit(os.environ["REDIS_URL"])
        number = parts.path.strip("/")
        number = int(number) if number.isdigit() else 0
        # Counting down from the configured database: CI's 15 gives gw0 15, gw1 14...
        os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{(number - index) % REDIS_DATABASES}"))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    media = os.environ.get("MEDIA_ROOT") or os.path.join(root, ".test-media")
    os.environ["MEDIA_ROOT"] = f"{os.path.abspath(media)}-{worker}"
