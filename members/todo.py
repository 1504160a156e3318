"""The « À faire » list of a person's home page: what waits on them, gathered from every app.

`members` sits at the start of the app order and imports none of the others, so each app
registers a provider at start-up (in its `AppConfig.ready()`), and the home page asks
`todo_for(user)`. A provider takes the signed-in user and returns `TodoItem`s; it reads the
person's roles from `access_for(user)` and must cost a fixed number of queries whatever the
data (one COUNT … GROUP BY per kind of item, never one query per table).

Consultations and votes do not exist yet: the app that adds them registers its provider
here, and the home page lists their items with no other change.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .access import access_for

Urgency = Literal["overdue", "soon", "normal"]
URGENCIES: tuple[Urgency, ...] = ("overdue", "soon", "normal")


@dataclass(frozen=True)
class TodoItem:
    """One line of the list: `label` already says the count in words ("2 proposals to
    decide"), `url` opens the page where the action is done, `table` names the table it
    concerns (None when it concerns no single table)."""

    label: str
    count: int
    url: str
    urgency: Urgency = "normal"
    table: str | None = None

    def __post_init__(self):
        if self.urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {self.urgency!r}")


Provider = Callable[..., Iterable[TodoItem]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider(user) -> Iterable[TodoItem]` to the list; registering twice (a second
    `ready()` in tests) keeps one copy. Usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> tuple[Provider, ...]:
    return tuple(_providers)


def todo_for(user) -> list[TodoItem]:
    """Every item waiting on `user`, the late ones first, then those due soon; within an
    urgency, in the order the apps gave them. Nothing for an anonymous visitor, and no item
    with nothing to do."""
    if not access_for(user).is_authenticated:
        return []
    items = [item for provider in _providers for item in provider(user) if item.count > 0]
    return sorted(items, key=lambda item: URGENCIES.index(item.urgency))
