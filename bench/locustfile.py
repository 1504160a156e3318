"""The load of the benchmark: people of each role following their real paths."""

import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = "Concertation-2026"
SLUG = "trci-capitale-nationale"


class Visitor(HttpUser):
    """Someone from the public: the home page, the tables, a public table and its meetings."""

    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def browse(self):
        self.client.get("/")
        self.client.get("/tables/")
        self.client.get(f"/tables/{SLUG}/")

    @task(2)
    def meetings(self):
        page = self.client.get(f"/tables/{SLUG}/meetings/", name="/tables/[slug]/meetings/")
        links = re.findall(rf'href="(/tables/{SLUG}/meetings/\d+/)"', page.text)
        if links:
            self.client.get(random.choice(links), name="/tables/[slug]/meetings/[id]/")

    @task(1)
    def directory(self):
        self.client.get("/organisations/?sector=community", name="/organisations/?sector")


# Sessions opened beforehand (bench/load.py): most simulated people arrive signed in, as
# they would on a working morning; a share signs in through the form. Without this, the
# first seconds are nothing but password hashing (about 0.4 s of CPU each).
SESSIONS = (
    json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text()) if os.environ.get("BENCH_SESSIONS") else {}
)
SIGN_IN_SHARE = 0.1


class SignedIn(HttpUser):
    abstract = True
    email = ""

    def on_start(self):
        # Each person comes from an address of their own, as the TLS proxy of production
        # reports it (the server runs with TRUSTED_PROXY_COUNT=1): rate limits count per
        # person, not for the whole load generator at once.
        self.client.headers["X-Forwarded-For"] = ".".join(str(random.randint(1, 254)) for _ in range(4))
        if SESSIONS.get(self.email) and random.random() > SIGN_IN_SHARE:
            self.client.cookies.set("sessionid", random.choice(SESSIONS[self.email]))
            return
        login = self.client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
        )


class Delegate(SignedIn):
    weight = 4
    wait_time = between(1, 3)
    email = "delegue@concertation.demo"

    @task(3)
    def home_and_meeting(self):
        page = self.client.get("/")
        links = re.findall(r'href="(/tables/[\w-]+/meetings/\d+/)"', page.text)
        if links:
            self.client.get(links[0], name="/tables/[slug]/meetings/[id]/")

    @task(2)
    def plan(self):
        page = self.client.get(f"/tables/{SLUG}/plans/", name="/tables/[slug]/plans/")
        links = re.findall(rf'href="(/tables/{SLUG}/plans/\d+/)"', page.text)
        if links:
            self.client.get(links[-1], name="/tables/[slug]/plans/[id]/")

    @task(1)
    def calendar(self):
        self.client.get("/regional/calendar/")


class Coordinator(SignedIn):
    weight = 2
    wait_time = between(1, 3)
    email = "coordination@concertation.demo"

    @task(2)
    def members(self):
        self.client.get(f"/tables/{SLUG}/members/", name="/tables/[slug]/members/")

    @task(2)
    def register(self):
        self.client.get(f"/tables/{SLUG}/resolutions/", name="/tables/[slug]/resolutions/")

    @task(1)
    def indicators(self):
        self.client.get(f"/tables/{SLUG}/indicators/", name="/tables/[slug]/indicators/")

    @task(1)
    def regional(self):
        self.client.get("/regional/capitale-nationale/", name="/regional/[region]/")


class Evaluator(SignedIn):
    weight = 1
    wait_time = between(1, 3)
    email = "evaluation@concertation.demo"

    @task
    def regional(self):
        self.client.get("/regional/")
        self.client.get("/")
