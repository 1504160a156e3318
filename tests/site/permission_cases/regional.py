"""The regional view across tables, the network and the shared regional calendar.

Tables A and B of the world are in Capitale-Nationale; `coordinator` coordinates A, so
sees that region (and no other, nor all of Québec); `evaluator` (funder staff) and
`admin` see every region. Delegates declare activities for the organisation they
represent; admins may correct or remove any activity but declare none. Delegates do not
open a region's view: the regional index sends them to the page of the organisation they
represent (its tables, hours and meeting clashes), which only delegates open."""

from datetime import timedelta

from django.utils import timezone

from members.regions import ensure_regions
from tables.models import Activity

from . import EVERYONE_200, LOGIN, REDIRECT, SIGNED_IN_200, Case, roles

REGION = "capitale-nationale"

REGIONAL = roles(403, anonymous=LOGIN, coordinator=200, evaluator=200, admin=200)
WHOLE_QUEBEC = roles(403, anonymous=LOGIN, evaluator=200, admin=200)
ADMIN_ONLY = roles(403, anonymous=LOGIN, admin=200)
DELEGATES = roles(403, anonymous=LOGIN, delegate_a=200, delegate_b=200)
OWNERS = roles(403, anonymous=LOGIN, delegate_a=200, admin=200)
OWNERS_POST = roles(403, anonymous=LOGIN, delegate_a=REDIRECT, admin=REDIRECT)


def an_activity(w):
    today = timezone.localdate()
    return Activity.objects.create(
        region=ensure_regions()["03"],
        organisation=w.org_a,
        title="Mission de recrutement",
        kind=Activity.Kind.RECRUITMENT_MISSION,
        place="Montréal",
        starts=today + timedelta(days=10),
        ends=today + timedelta(days=11),
    )


def activity_data(w):
    today = timezone.localdate()
    return {
        "organisation": w.org_a.pk,
        "title": "Salon de l'emploi",
        "kind": Activity.Kind.JOB_FAIR,
        "audience": "Personnes immigrantes",
        "place": "Montréal",
        "starts": (today + timedelta(days=20)).isoformat(),
        "ends": (today + timedelta(days=21)).isoformat(),
    }


def with_coordinating_organisation(w):
    """Table A is coordinated on behalf of an organisation: its coordinator may declare
    activities for it."""
    w.table_a.coordinating_organisation = w.other_org
    w.table_a.save(update_fields=["coordinating_organisation"])
    return {}


CASES = [
    Case("tables:regional-index", {**REGIONAL, "delegate_a": REDIRECT, "delegate_b": REDIRECT}),
    Case("tables:regional-mine", DELEGATES),
    Case("tables:regional-overview", REGIONAL, lambda w: {"region": REGION}),
    Case("tables:regional-overview", WHOLE_QUEBEC, lambda w: {"region": "quebec"}, label="all of Québec"),
    Case("tables:regional-overview", WHOLE_QUEBEC, lambda w: {"region": "montreal"}, label="other region"),
    Case(
        "tables:regional-overview",
        roles(404, anonymous=LOGIN),
        lambda w: {"region": "atlantide"},
        label="unknown region",
    ),
    Case("tables:regional-settings", ADMIN_ONLY, lambda w: {"region": REGION}),
    Case(
        "tables:regional-settings",
        roles(403, anonymous=LOGIN, admin=REDIRECT),
        lambda w: {"region": REGION},
        method="post",
        data=lambda w: {"max_tables_per_organisation": 4, "max_hours_per_month": 10},
    ),
    Case(
        "tables:regional-settings",
        roles(404, anonymous=LOGIN),
        lambda w: {"region": "quebec"},
        label="all of Québec",
    ),
    Case("tables:regional-network", REGIONAL, lambda w: {"region": REGION}),
    Case("tables:regional-network", WHOLE_QUEBEC, lambda w: {"region": "quebec"}, label="all of Québec"),
    Case("tables:activity-calendar", SIGNED_IN_200),
    Case("tables:activity-feed", EVERYONE_200),
    Case("tables:activity-create", DELEGATES),
    Case(
        "tables:activity-create",
        roles(403, anonymous=LOGIN, delegate_a=200, delegate_b=200, coordinator=200),
        with_coordinating_organisation,
        label="coordinator of a table with a coordinating organisation",
    ),
    Case(
        "tables:activity-create",
        # delegate_b does not represent org_a: the form refuses it (200, with the error).
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT, delegate_b=200),
        method="post",
        data=activity_data,
    ),
    Case("tables:activity-detail", SIGNED_IN_200, lambda w: {"pk": an_activity(w).pk}),
    Case("tables:activity-detail", roles(404, anonymous=LOGIN), lambda w: {"pk": 999999}, label="missing"),
    Case("tables:activity-update", OWNERS, lambda w: {"pk": an_activity(w).pk}),
    Case(
        "tables:activity-update",
        OWNERS_POST,
        lambda w: {"pk": an_activity(w).pk},
        method="post",
        data=activity_data,
    ),
    Case("tables:activity-delete", OWNERS, lambda w: {"pk": an_activity(w).pk}),
    Case("tables:activity-delete", OWNERS_POST, lambda w: {"pk": an_activity(w).pk}, method="post"),
]
