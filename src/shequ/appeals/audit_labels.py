"""What the audit pages call the appeals' actions and objects (registered in
``AppealsConfig.ready()``). An appeal is its number and category, never the
person who raised it."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.appeals.models import Appeal
from shequ.core.registry import AuditObjectNames

AUDIT_ACTIONS = {
    "appeal.create": "提出诉求",
    "appeal.support": "我也遇到",
    "appeal.hand_over": "移交首接负责",
    "appeal.absorb": "合并重复诉求",
    # APPEAL_FLOW's transitions
    "appeal.triage": "分办诉求：社区自办自结",
    "appeal.merge": "分办诉求：合并为重复诉求",
    "appeal.whistle": "分办诉求：吹哨",
    "appeal.whistle_close": "吹哨事项办结",
    "appeal.deliberate": "分办诉求：提交议事协商",
    "appeal.deliberation_close": "协商成果完成，诉求办结",
    "appeal.close": "办结诉求",
    "appeal.rate": "居民评价诉求",
    "appeal.reopen": "居民重新提起诉求",
}


def appeal_names(ids: list[str]) -> dict[str, str]:
    return {
        str(appeal.pk): f"{appeal.number} {appeal.get_category_display()}"
        for appeal in Appeal.objects.filter(pk__in=ids).only("number", "category")
    }


AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {Appeal._meta.label_lower: appeal_names}
