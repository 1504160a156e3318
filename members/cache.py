"""A Redis cache that degrades to "no cache" when Redis is down, so that every page keeps
working (sessions live in the database; the cache only speeds things up and counts
sign-in attempts)."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(method, fallback):
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("cache unavailable (%s): %s", method.__name__, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = method.__name__
    return wrapper


class ResilientRedisCache(RedisCache):
    get = _tolerant(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _tolerant(RedisCache.get_many, lambda keys, version=None: {})
    set = _tolerant(RedisCache.set, None)
    set_many = _tolerant(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    add = _tolerant(RedisCache.add, False)
    touch = _tolerant(RedisCache.touch, False)
    delete = _tolerant(RedisCache.delete, False)
    delete_many = _tolerant(RedisCache.delete_many, None)
    has_key = _tolerant(RedisCache.has_key, False)
    incr = _tolerant(RedisCache.incr, lambda key, delta=1, version=None: delta)
    clear = _tolerant(RedisCache.clear, False)
