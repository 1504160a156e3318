"""Rows of the main tables, as JSON (for the benchmark report)."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concertation.settings.local")

import django

django.setup()

from funding.models import Application, FundingCall  # noqa: E402
from members.models import Organisation, User  # noqa: E402
from tables.models import AgendaItem, Meeting, MinutesNote, Resolution, Table  # noqa: E402

print(
    json.dumps(
        {
            "tables": Table.objects.count(),
            "organisations": Organisation.objects.count(),
            "people": User.objects.count(),
            "meetings": Meeting.objects.count(),
            "agenda_items": AgendaItem.objects.count(),
            "minutes_notes": MinutesNote.objects.count(),
            "resolutions": Resolution.objects.count(),
            "funding_calls": FundingCall.objects.count(),
            "applications": Application.objects.count(),
        }
    )
)
