"""Developer machine: debug on, a throw-away secret, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
# Static files come straight from the finders; STATIC_ROOT is only for collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
