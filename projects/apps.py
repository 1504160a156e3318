from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Joint projects")

    def ready(self):
        # Each object's page rule, asked by every channel (members.permissions.may_see).
        from .permissions import register_rules

        register_rules()
