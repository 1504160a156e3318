"""Handing work to Celery without ever failing a request because the broker is down."""

import logging

logger = logging.getLogger(__name__)

# One quick retry, then give up: the periodic sweeps pick the work up when Redis is back.
QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(task, *args, **kwargs) -> bool:
    """Queue `task`; True when the broker took it, False (logged) when it is unreachable.
    Only for work that a sweep redoes from the database (outbox, deliveries, documents)."""
    try:
        task.apply_async(args, kwargs, retry=True, retry_policy=QUICK_RETRY)
    except Exception as error:
        logger.warning("%s not queued (broker unreachable): %s", task.name, error)
        return False
    return True
