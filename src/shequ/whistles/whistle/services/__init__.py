"""Writes of whistles (吹哨报到): raising, report-in, handling, dispute and
reassignment, evaluation and closing (``flow``), the ``shequ tick``
escalation (督办, ``escalation``) and the per-category deadline rules
(``rules``).

Every function is keyword-only, runs in one transaction, checks the
permission and the scope, and writes the change together with its timeline
event and audit record. Bad input raises a ``DomainError`` with a Chinese
message before anything is written.
"""

from shequ.whistles.whistle.services.escalation import escalation_notice_read, whistles_escalate
from shequ.whistles.whistle.services.flow import (
    ACTIONS,
    WHISTLE_FLOW,
    deadlines,
    rule_for,
    title_from,
    whistle_close,
    whistle_dispute,
    whistle_evaluate,
    whistle_raise,
    whistle_reassign,
    whistle_report_in,
    whistle_resolve,
    whistle_start,
)
from shequ.whistles.whistle.services.rules import whistle_rule_set

__all__ = [
    "ACTIONS",
    "WHISTLE_FLOW",
    "deadlines",
    "escalation_notice_read",
    "rule_for",
    "title_from",
    "whistle_close",
    "whistle_dispute",
    "whistle_evaluate",
    "whistle_raise",
    "whistle_reassign",
    "whistle_report_in",
    "whistle_resolve",
    "whistle_rule_set",
    "whistle_start",
    "whistles_escalate",
]
