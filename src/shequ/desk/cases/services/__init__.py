"""Writes of cases (办件): intake at a window, online applications, the case
workflow (on the core engine), visits, 好差评 and rectification.

Every function is one transaction: the case row, its timeline event, its
audit record and its statistics row change together or not at all.

A package: ``inputs`` (checks), ``records`` (timeline, audit, rollup,
schedule), ``intake``, ``flow`` (the workflow and one service per transition) and ``reviews``
(lookup, 好差评, rectification). Import from ``shequ.desk.cases.services``.
"""

from shequ.desk.cases.services.flow import (
    CASE_ACTIONS,
    CASE_FLOW,
    DELIVERY_METHODS,
    CaseAction,
    case_accept,
    case_complete,
    case_decline,
    case_deliver,
    case_forward,
    case_request_supplement,
    case_resume,
    case_start,
    case_supply,
    case_suspend,
    case_withdraw,
)
from shequ.desk.cases.services.inputs import (
    Applicant,
    applicant_columns,
    checklist,
    clean_form_data,
)
from shequ.desk.cases.services.intake import (
    SUPPLEMENT_MAX_DAYS,
    IntakeResult,
    case_apply_online,
    case_intake,
    case_receive_online,
    notice_reissue,
)
from shequ.desk.cases.services.records import case_stats_bump
from shequ.desk.cases.services.reviews import (
    LOOKUP_LOCK_MINUTES,
    LOOKUP_MAX_FAILURES_PER_IP,
    LOOKUP_MAX_FAILURES_PER_RECEIPT,
    RECTIFICATION_ACTIONS,
    RECTIFICATION_FLOW,
    RECTIFY_DAYS,
    TooManyAttempts,
    case_lookup,
    rectification_follow_up,
    rectification_rectify,
    review_open,
    review_submit,
)

__all__ = [
    "notice_reissue",
    "Applicant",
    "CASE_FLOW",
    "DELIVERY_METHODS",
    "IntakeResult",
    "LOOKUP_LOCK_MINUTES",
    "LOOKUP_MAX_FAILURES_PER_IP",
    "LOOKUP_MAX_FAILURES_PER_RECEIPT",
    "RECTIFICATION_FLOW",
    "RECTIFY_DAYS",
    "SUPPLEMENT_MAX_DAYS",
    "TooManyAttempts",
    "applicant_columns",
    "CASE_ACTIONS",
    "CaseAction",
    "case_accept",
    "case_complete",
    "case_decline",
    "case_deliver",
    "case_forward",
    "case_request_supplement",
    "case_resume",
    "case_start",
    "case_supply",
    "case_suspend",
    "case_withdraw",
    "case_apply_online",
    "case_intake",
    "case_lookup",
    "case_receive_online",
    "case_stats_bump",
    "checklist",
    "clean_form_data",
    "RECTIFICATION_ACTIONS",
    "rectification_follow_up",
    "rectification_rectify",
    "review_open",
    "review_submit",
]
