from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # Document kinds register themselves on import (in the web process and in workers).
        from . import documents, integration  # noqa: F401

        integration.register()
