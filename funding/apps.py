from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # Document kinds register themselves on import (in the web process and in workers).
        from . import documents, integration  # noqa: F401

        integration.register()

        # Each object's page rule, asked by every channel (members.permissions.may_see).
        from .permissions import register_rules

        register_rules()

        # What waits on a person in funding, for the home page's « À faire » list.
        from members.todo import register

        from .selectors import todo_items

        register(todo_items)
