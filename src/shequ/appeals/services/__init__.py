"""Writes of appeals (居民诉求): raising one (a resident, a worker or building
head on a resident's behalf, an external channel), triage, closing, the
resident's rating, reopening, "me too" and the hand-over of first-contact
responsibility (首接负责).

Every function is one transaction: the appeal, its timeline event and its
audit record change together or not at all. State changes go through the
core workflow engine (``APPEAL_FLOW``).

The package is split by concern (``inputs``, ``records``, ``create``,
``ownership``, ``flow``); this module re-exports the public names so callers
keep importing from ``shequ.appeals.services``.
"""

from shequ.appeals.services.create import appeal_create, appeal_receive
from shequ.appeals.services.flow import (
    APPEAL_FLOW,
    appeal_close,
    appeal_deliberation_close,
    appeal_rate,
    appeal_reopen,
    appeal_support,
    appeal_triage,
    appeal_whistle_close,
    appeal_whistled,
)
from shequ.appeals.services.inputs import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    ON_BEHALF_CHANNELS,
    RESULT_MAX,
    TRIAGE_DAYS,
    WHISTLE_DECISION,
    clean_coordinates,
    reopen_days,
)
from shequ.appeals.services.ownership import appeal_hand_over, is_own

__all__ = [
    "APPEAL_FLOW",
    "DESCRIPTION_MAX",
    "NOTE_MAX",
    "ON_BEHALF_CHANNELS",
    "RESULT_MAX",
    "TRIAGE_DAYS",
    "WHISTLE_DECISION",
    "appeal_close",
    "appeal_create",
    "appeal_hand_over",
    "appeal_rate",
    "appeal_receive",
    "appeal_reopen",
    "appeal_support",
    "appeal_triage",
    "appeal_deliberation_close",
    "appeal_whistle_close",
    "appeal_whistled",
    "clean_coordinates",
    "is_own",
    "reopen_days",
]
