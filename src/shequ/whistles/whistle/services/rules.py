"""The district admin sets the whistle deadlines per category (吹哨时限规则):
report-in hours for urgent whistles, working days for normal ones, and the
resolution working days. A category without a row uses ``DEFAULT_RULE``.
New deadlines apply to whistles addressed after the change."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.core.categories import IssueCategory
from shequ.core.errors import ValidationError
from shequ.core.history import record
from shequ.core.scope import Actor
from shequ.core.selectors import district_of
from shequ.whistles.models import WhistleRule
from shequ.whistles.whistle.services.flow import rule_for

URGENT_HOURS_MAX = 72  # three days: beyond that an urgent whistle is not urgent
REPORT_DAYS_MAX = 10
RESOLVE_DAYS_MAX = 60

LIMITS = {
    "urgent_report_hours": ("紧急报到时限（小时）", URGENT_HOURS_MAX),
    "normal_report_days": ("一般报到时限（工作日）", REPORT_DAYS_MAX),
    "resolve_days": ("办结时限（工作日）", RESOLVE_DAYS_MAX),
}


def _whole(value: Any, *, field: str) -> int:
    label, most = LIMITS[field]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}须是整数。", field=field) from None
    if not 1 <= number <= most:
        raise ValidationError(f"{label}须在 1 到 {most} 之间。", field=field)
    return number


@transaction.atomic
def whistle_rule_set(
    *,
    actor: Actor,
    category: str,
    urgent_report_hours: Any,
    normal_report_days: Any,
    resolve_days: Any,
) -> WhistleRule:
    """Set (create or change) the deadlines of one category in the actor's district."""
    actor.require("department.manage")
    district = district_of(actor=actor)
    if category not in IssueCategory.values:
        raise ValidationError("请选择有效的类别。", field="category")
    values = {
        "urgent_report_hours": _whole(urgent_report_hours, field="urgent_report_hours"),
        "normal_report_days": _whole(normal_report_days, field="normal_report_days"),
        "resolve_days": _whole(resolve_days, field="resolve_days"),
    }
    if values["normal_report_days"] > values["resolve_days"]:
        raise ValidationError("一般报到时限不能长于办结时限。", field="normal_report_days")
    before = rule_for(district_id=district.pk, category=category)
    rule = WhistleRule.objects.select_for_update().filter(district=district, category=category)
    row = rule.first()
    if row is None:
        row = WhistleRule.objects.create(district=district, category=category, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
    changes = {
        name: [getattr(before, name), value]
        for name, value in values.items()
        if getattr(before, name) != value
    }
    record(
        actor=actor,
        action="whistle.rule_set",
        obj=row,
        region=district,
        changes={"category": category, **changes},
        message=f"吹哨时限规则：{IssueCategory(category).label}",
    )
    return row
