"""What a whistle tells the records it was raised from (an appeal today, a
deliberation outcome next), through ``core.hooks``: the handing-off app
subscribes in its ``AppConfig.ready()``; nothing here imports it.

- ``whistle_source``: the raise form asks for the record named in its query
  (``?appeal=12``) to show it and fill the form in;
- ``whistle_sources_claim``: before the whistle is written, each subscriber
  checks and locks the records of its kind that ``whistle_raise`` was given
  (a refusal raises, and nothing is written);
- ``whistle_raised``: after the whistle, its timeline event and audit record
  are written, the subscribers link and hand on their records;
- ``whistle_evaluated``: the community evaluated the result; the subscribers
  close their linked records with it;
- ``whistle_origins``: the records a whistle came from, for its page and API.

All run inside the whistle's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shequ.core.hooks import Hook

if TYPE_CHECKING:
    from shequ.core.models import Region
    from shequ.core.scope import Actor
    from shequ.whistles.models import Whistle


@dataclass(frozen=True)
class Source:
    """A record the raise form starts from."""

    kind: str  # the query parameter and ``sources`` key: "appeal"
    kind_label: str  # "诉求"
    pk: int
    number: str
    community_id: int
    back_url: str  # where 取消 and a successful raise lead
    success_message: str
    # Raises the whistle from this record with the form's fields (for an
    # appeal: its triage, with the triage's permission and checks).
    hand_off: Callable[[Actor, dict[str, Any]], Any]
    prefill: Mapping[str, Any] = field(default_factory=dict)  # title, description, …


@dataclass(frozen=True)
class SourceLookup:
    actor: Actor
    params: Mapping[str, str]  # the raise form's query / POST


@dataclass(frozen=True)
class Claim:
    """The records of one kind a subscriber accepted for a new whistle."""

    kind: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class SourcesClaim:
    actor: Actor
    community: Region
    sources: Mapping[str, list[int]]  # kind -> ids, e.g. {"appeal": [3, 5]}


@dataclass(frozen=True)
class WhistleRaised:
    actor: Actor
    whistle: Whistle
    sources: Mapping[str, list[int]]


@dataclass(frozen=True)
class WhistleEvaluated:
    actor: Actor
    whistle: Whistle


@dataclass(frozen=True)
class Origin:
    """One record a whistle was raised from, as its page and API show it."""

    kind: str
    kind_label: str
    pk: int
    number: str
    status_label: str


whistle_source: Hook[SourceLookup] = Hook("whistle_source")  # -> Source | None
whistle_sources_claim: Hook[SourcesClaim] = Hook("whistle_sources_claim")  # -> Claim | None
whistle_raised: Hook[WhistleRaised] = Hook("whistle_raised")
whistle_evaluated: Hook[WhistleEvaluated] = Hook("whistle_evaluated")
whistle_origins: Hook[Whistle] = Hook("whistle_origins")  # -> list[Origin]


def source_for(*, actor: Actor, params: Mapping[str, str]) -> Source | None:
    """The record the raise form names, or ``None`` (a whistle from scratch).
    A subscriber raises ``NotFound`` for a named record the actor cannot reach."""
    found = [s for s in whistle_source.emit(SourceLookup(actor, params)) if s is not None]
    return found[0] if found else None


def origins_of(whistle: Whistle) -> list[Origin]:
    return [o for found in whistle_origins.emit(whistle) for o in found]
