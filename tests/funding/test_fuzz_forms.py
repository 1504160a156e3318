"""No input in any form of the funding and project pages makes a server error (the
product-wide fuzz test of tests/project, run on this area's pages)."""

import pytest
from django.db import transaction

from tests.site.test_fuzz import form_pages, fuzz_page

pytestmark = pytest.mark.django_db


def test_no_input_in_a_funding_or_project_form_gives_a_server_error(world):
    checked = 0
    for case, role in form_pages(world):
        if not case.name.startswith(("funding:", "projects:")):
            continue
        with transaction.atomic():
            checked += fuzz_page(world, case, role)
            transaction.set_rollback(True)
    assert checked >= 10
