"""Writes about people and organisations, one module per area."""

from .editing import *  # noqa: F403
from .emails import *  # noqa: F403
from .notifications import *  # noqa: F403
from .people import *  # noqa: F403
