from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TablesConfig(AppConfig):
    name = "tables"
    verbose_name = _("Concertation tables")

    def ready(self):
        from members.todo import register

        # Document kinds register themselves on import (in the web process and in workers).
        from . import bilan, plan_documents, regional  # noqa: F401  (regional connects its cache signals)
        from .selectors import consultations
        from .selectors.todo import todo_items

        # What waits on a person at their tables, for the home page's « À faire » list.
        register(todo_items)
        register(consultations.todo_items)

        # Each object's page rule, asked by every channel (members.permissions.may_see).
        from .permissions import register_rules

        register_rules()
