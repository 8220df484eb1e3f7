"""What deliberation tells the records a topic came from (an appeal put to
deliberation at triage), through ``core.hooks``: the appeals app subscribes
in its ``AppConfig.ready()``; nothing here imports it.

- ``outcome_done``: the topic's outcome is done; the subscribers close their
  linked records with its result (inside the outcome's transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shequ.core.hooks import Hook

if TYPE_CHECKING:
    from shequ.core.scope import Actor
    from shequ.deliberation.models import Outcome


@dataclass(frozen=True)
class OutcomeDone:
    actor: Actor
    outcome: Outcome
    result: str  # in words, for the resident who raised the appeal


outcome_done: Hook[OutcomeDone] = Hook("outcome_done")
