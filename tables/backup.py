"""One table's data as a JSON file that loads into an empty database with nothing lost.

What a table owns is found the way Django finds what deleting it would remove (meetings,
agendas, minutes, resolutions, plans, bilans…), widened to what only refuses to be deleted
with it (its funding calls and joint projects, and what they own). Everything those rows
point to (organisations, people, regions, funders…) comes along, so that the file stands on
its own. Content types and permissions are named by natural key: an empty database made by
`migrate` has them under other ids.

Left out on purpose: generated documents (PDF and spreadsheets, made again on request),
sessions, and uploaded files themselves (the rows keep their paths; copy MEDIA_ROOT).
"""

import datetime
import json
from collections import defaultdict

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from .models import Document, Table

__all__ = ["export_table", "import_collisions", "table_objects"]

# Rows every migrated database has, or that are made again rather than restored.
NOT_EXPORTED = (ContentType, Permission, Document)


def _owned(table) -> set:
    """The table and what deleting it would remove or be refused by, recursively."""
    found = set()
    frontier = [table]
    while frontier:
        collector = NestedObjects(using=DEFAULT_DB_ALIAS)
        by_model = defaultdict(list)
        for obj in frontier:
            by_model[type(obj)].append(obj)
        for objs in by_model.values():  # the collector takes one model at a time
            collector.collect(objs)
        fresh = {obj for instances in collector.data.values() for obj in instances}
        fresh |= set(collector.protected)
        fresh -= found
        found |= fresh
        frontier = [obj for obj in collector.protected if obj in fresh]
    return found


def _referenced(objects: set) -> set:
    """Everything the objects point to, recursively (foreign keys and many-to-many),
    fetched one query per model and field rather than one per row."""
    found = set(objects)
    frontier = objects
    while frontier:
        wanted = defaultdict(set)
        for obj in frontier:
            for field in obj._meta.concrete_fields:
                if field.is_relation and field.related_model is not None:
                    value = getattr(obj, field.attname)
                    if value is not None:
                        wanted[field.related_model].add(value)
        by_model = defaultdict(list)
        for obj in frontier:
            by_model[type(obj)].append(obj.pk)
        for model, pks in by_model.items():
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                if not through._meta.auto_created:
                    continue
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                rows = through.objects.filter(**{f"{source}__in": pks}).values_list(f"{target}_id", flat=True)
                wanted[field.related_model].update(rows)
        fresh = set()
        for model, pks in wanted.items():
            if issubclass(model, NOT_EXPORTED):
                continue
            fresh.update(obj for obj in model._default_manager.filter(pk__in=pks) if obj not in found)
        found |= fresh
        frontier = fresh
    return found


def _accounts_of(objects: set) -> set:
    """The email addresses of the people in the file: without them nobody could sign in."""
    from allauth.account.models import EmailAddress

    people = [obj.pk for obj in objects if obj._meta.label == "members.User"]
    return set(EmailAddress.objects.filter(user__in=people))


def table_objects(table: Table) -> list:
    """Every row the table's export holds, in an order that loads: models by dependency
    (natural keys first), then by primary key."""
    objects = _referenced(_owned(table))
    objects |= _accounts_of(objects)
    # Rows of automatic many-to-many tables travel inside the rows that hold the field.
    objects = {obj for obj in objects if not isinstance(obj, NOT_EXPORTED) and not obj._meta.auto_created}
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    # Sorted first, so that models that do not depend on each other keep one order.
    app_list = defaultdict(list)
    for model in sorted(by_model, key=lambda model: model._meta.label):
        app_list[model._meta.app_config].append(model)
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [obj for model in ordered for obj in sorted(by_model[model], key=lambda obj: obj.pk)]


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but keeping times to the microsecond (it cuts them to the
    millisecond), so that a restored row is the row that was exported."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if o.utcoffset() == datetime.timedelta(0) else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def export_table(table: Table) -> str:
    """The table's data as JSON, loadable with `import_table` (or `loaddata`)."""
    return serializers.serialize(
        "json",
        table_objects(table),
        indent=1,
        use_natural_foreign_keys=True,
        ensure_ascii=False,
        cls=ExactEncoder,
    )


def import_collisions(text: str) -> dict[str, int]:
    """How many rows of each model in an export already exist here (by primary key).
    An import goes into a database that has none: it never overwrites."""
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("This file is not a table export (invalid JSON: %(error)s).") % {"error": error}
        ) from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) and "model" in row for row in rows):
        raise ValidationError(_("This file is not a table export."))
    wanted = defaultdict(set)
    for row in rows:
        if "pk" in row:
            wanted[row["model"]].add(row["pk"])
    collisions = {}
    for label, pks in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as error:
            raise ValidationError(
                _("This file holds rows of an unknown kind: %(label)s.") % {"label": label}
            ) from error
        count = model._default_manager.filter(pk__in=pks).count()
        if count:
            collisions[label] = count
    return collisions
