"""Writes about people and organisations, one module per area."""

from .people import *  # noqa: F403
