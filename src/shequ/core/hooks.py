"""Typed hooks: how an app hears about another app's change without the other
app importing it.

A hand-off runs one way: an appeal hands itself to a whistle (appeals →
whistles), a topic's outcome to a whistle or a pairing. The answer comes
back through a hook that the *receiving* app declares and the handing-off
app subscribes to in its ``AppConfig.ready()``:

    # whistles/whistle/events.py
    whistle_evaluated: Hook[WhistleEvaluated] = Hook("whistle_evaluated")

    # appeals/apps.py
    whistle_evaluated.subscribe(appeals.handoffs.close_whistled_appeals)

``emit`` calls every subscriber in order, synchronously, inside the caller's
transaction: a subscriber that raises rolls the whole write back (a refused
hand-off leaves nothing half-written). Side effects that must wait for the
commit are the subscriber's to schedule with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

E = TypeVar("E")


class Hook(Generic[E]):
    """One named event with typed payload ``E`` and its subscribers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: dict[str, Callable[[E], Any]] = {}

    def subscribe(self, subscriber: Callable[[E], Any]) -> Callable[[E], Any]:
        """Add ``subscriber`` (idempotent: keyed by its dotted name). Usable as
        a decorator."""
        key = f"{subscriber.__module__}.{subscriber.__qualname__}"
        self._subscribers[key] = subscriber
        return subscriber

    def unsubscribe(self, subscriber: Callable[[E], Any]) -> None:
        self._subscribers.pop(f"{subscriber.__module__}.{subscriber.__qualname__}", None)

    def emit(self, event: E) -> list[Any]:
        """Call every subscriber with ``event``; returns what each returned,
        in subscription order (an app's answer, e.g. the records it linked)."""
        return [subscriber(event) for subscriber in list(self._subscribers.values())]

    @property
    def subscribers(self) -> list[Callable[[E], Any]]:
        return list(self._subscribers.values())

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._subscribers)} subscriber(s)>"
