from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and people")

    def ready(self):
        from .formfields import guard_model_choice_fields

        guard_model_choice_fields()
