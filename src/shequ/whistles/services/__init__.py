"""Writes of departments, stationed units, liaisons and pairing (结对共建).

Every function is keyword-only, runs in one transaction, checks the
permission and the scope, and writes the change together with its timeline
event and audit record. Bad input raises ``ValidationError`` with a Chinese
message before anything is written.
"""

from shequ.whistles.services._checks import (
    clean_phone,
    last_full_quarter,
    quarter_bounds,
    quarter_of,
    today,
)
from shequ.whistles.services.bodies import (
    department_create,
    department_update,
    liaison_grant,
    liaison_revoke,
    unit_create,
    unit_update,
)
from shequ.whistles.services.escalation import (
    escalation_notice_read,
    whistles_escalate,
)
from shequ.whistles.services.pairing import (
    PAIRING_FLOW,
    action_log,
    agreement_create,
    agreement_end,
    commitment_add,
    pairing_flags_refresh,
    quarter_rate,
)
from shequ.whistles.services.rules import whistle_rule_set
from shequ.whistles.services.whistles import (
    WHISTLE_FLOW,
    deadlines,
    rule_for,
    whistle_close,
    whistle_dispute,
    whistle_evaluate,
    whistle_raise,
    whistle_reassign,
    whistle_report_in,
    whistle_resolve,
    whistle_start,
)

__all__ = [
    "PAIRING_FLOW",
    "action_log",
    "agreement_create",
    "agreement_end",
    "clean_phone",
    "commitment_add",
    "department_create",
    "department_update",
    "last_full_quarter",
    "liaison_grant",
    "liaison_revoke",
    "pairing_flags_refresh",
    "quarter_bounds",
    "quarter_of",
    "quarter_rate",
    "today",
    "unit_create",
    "unit_update",
    "WHISTLE_FLOW",
    "deadlines",
    "rule_for",
    "whistle_close",
    "whistle_dispute",
    "whistle_evaluate",
    "whistle_raise",
    "whistle_reassign",
    "whistle_report_in",
    "whistle_resolve",
    "whistle_start",
    "escalation_notice_read",
    "whistle_rule_set",
    "whistles_escalate",
]
