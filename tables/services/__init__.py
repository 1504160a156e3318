"""Writes that touch several rows or have side effects. Views, admin, commands and tasks
all go through these functions, one module per part of the domain."""

from .communiques import *  # noqa: F403
from .consultations import *  # noqa: F403
from .meetings import *  # noqa: F403
from .membership import *  # noqa: F403
from .minutes import *  # noqa: F403
from .plans import *  # noqa: F403
