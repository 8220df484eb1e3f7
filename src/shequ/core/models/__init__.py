"""Core models: region tree, users and grants, audit, timeline, calendar, numbering."""

from shequ.core.models.audit import AuditBlock, AuditRecord, AuditSeal
from shequ.core.models.calendar import CalendarYear, Holiday
from shequ.core.models.idempotency import IdempotencyKey
from shequ.core.models.numbering import ReceiptCounter
from shequ.core.models.regions import Region, RegionLevel, RegionStat
from shequ.core.models.timeline import TimelineEvent
from shequ.core.models.users import ApiToken, Grant, PasswordHistory, User
from shequ.core.models.workbench import (
    Announcement,
    AnnouncementRead,
    Notification,
    OutboxMessage,
)

__all__ = [
    "Announcement",
    "AnnouncementRead",
    "ApiToken",
    "AuditBlock",
    "AuditRecord",
    "AuditSeal",
    "CalendarYear",
    "Grant",
    "Holiday",
    "IdempotencyKey",
    "Notification",
    "OutboxMessage",
    "PasswordHistory",
    "ReceiptCounter",
    "Region",
    "RegionLevel",
    "RegionStat",
    "TimelineEvent",
    "User",
]
