"""Property-based tests (Hypothesis): no input, in any form field or query parameter,
makes a page fail with a server error."""

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_as
from tests.site import test_permission_matrix

pytestmark = pytest.mark.django_db

ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["", "0", "-1", "9999999999999999999", "2026-13-45", "null", "<script>", "'; DROP TABLE x;--", "\x00"]
    ),
)
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class PostForms(HTMLParser):
    """The field names of the POST forms of a page that submit to the page itself."""

    def __init__(self):
        super().__init__()
        self.names, self._inside = set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = (attrs.get("method") or "").lower() == "post" and not attrs.get("action")
        elif (
            self._inside
            and tag in {"input", "select", "textarea"}
            and attrs.get("name") not in {None, "csrfmiddlewaretoken"}
            and attrs.get("type") != "file"
        ):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def form_pages(world):
    """(url, role) of every page with a form, for a role allowed to use it."""
    pages = []
    for case in test_permission_matrix.CASES:
        if case.method != "get" or case.name.startswith(("account_", "mfa_")):
            continue
        role = next((r for r in ("coordinator", "delegate_a", "admin") if case.expected.get(r) == 200), None)
        if role:
            pages.append((case, role))
    return pages


def test_no_form_input_gives_a_server_error(world):
    # Lazily made objects first, outside the savepoints rolled back for each page.
    for name in ("meeting_a", "past_meeting_a", "meeting_b", "plan_action"):
        getattr(world, name)
    checked = 0
    for case, role in form_pages(world):
        with transaction.atomic():
            checked += fuzz_page(world, case, role)
            transaction.set_rollback(True)
    assert checked >= 20


def fuzz_page(world, case, role):
    """1 when the page has a form to fuzz (and it never failed), else 0."""
    client = client_as(world, role)
    url = reverse(case.name, kwargs=case.kwargs(world))
    page = client.get(url, case.data(world))
    if page.streaming or "html" not in page.get("Content-Type", ""):
        return 0
    parser = PostForms()
    parser.feed(page.content.decode())
    if not parser.names:
        return 0
    fuzz_form(client, url, sorted(parser.names))
    return 1


def fuzz_form(client, url, names):
    @FUZZ
    @given(values=st.fixed_dictionaries(dict.fromkeys(names, ANY_TEXT)))
    def post(values):
        response = client.post(url, values)
        assert response.status_code < 500, (url, values)

    post()


QUERY_PAGES = [
    ("tables:table-list", {}, ["q", "region", "kind", "theme", "sector", "page"]),
    ("members:organisation-list", {}, ["q", "sector", "actor_type", "region", "table", "page"]),
    ("tables:meeting-list", {"slug": "table-a"}, ["page"]),
    ("tables:resolution-list", {"slug": "table-a"}, ["q", "year", "result", "page"]),
    ("tables:follow-up-list", {"slug": "table-a"}, ["status", "organisation", "q", "page"]),
    ("tables:indicators", {"slug": "table-a"}, ["year"]),
    ("tables:membership-add", {"slug": "table-a"}, ["q"]),
]


@pytest.mark.parametrize(("name", "kwargs", "params"), QUERY_PAGES, ids=[p[0] for p in QUERY_PAGES])
def test_no_query_parameter_gives_a_server_error(world, name, kwargs, params):
    client = client_as(world, "coordinator")
    url = reverse(name, kwargs=kwargs)

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from([*params, "unknown"]), ANY_TEXT, max_size=len(params) + 1))
    def get(values):
        response = client.get(url, values)
        assert response.status_code < 500, (url, values)

    get()
