"""Celery tasks of the tables app (autodiscovered as `tables.tasks`)."""

from .communiques import *  # noqa: F403
from .documents import *  # noqa: F403
from .imports import *  # noqa: F403
from .meetings import *  # noqa: F403
from .regional import *  # noqa: F403
from .reminders import *  # noqa: F403
