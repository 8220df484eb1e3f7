"""What the audit pages call the actions and objects of 吹哨报到, the bodies
and 结对共建 (registered in ``WhistlesConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.categories import IssueCategory
from shequ.core.registry import AuditObjectNames, object_namer
from shequ.whistles.models import (
    Department,
    EscalationNotice,
    Liaison,
    PairingAgreement,
    Unit,
    Whistle,
    WhistleRule,
)

AUDIT_ACTIONS = {
    # 吹哨 (raised, then WHISTLE_FLOW's transitions), 督办 and the deadlines
    "whistle.raise": "社区吹哨",
    "whistle.act": "处理吹哨事项",  # a refused form that named no action
    "whistle.report_in": "部门报到",
    "whistle.start": "开始处置",
    "whistle.resolve": "部门办结",
    "whistle.dispute": "退回（非本部门职责）",
    "whistle.reassign": "街道改派",
    "whistle.evaluate": "社区评价",
    "whistle.close": "关闭吹哨事项",
    "whistle.escalate": "督办",
    "whistle.notice_read": "阅读督办通知",
    "whistle.rule_set": "设置吹哨时限规则",
    # 职能部门、驻区单位 and their liaisons
    "department.create": "新增职能部门",
    "department.update": "修改职能部门",
    "unit.create": "新增驻区单位",
    "unit.update": "修改驻区单位",
    "liaison.grant": "指定联络员",
    "liaison.revoke": "撤销联络员",
    # 结对共建
    "pairing.create": "签订结对共建协议",
    "pairing.commitment_add": "添加共建承诺",
    "pairing.action_log": "登记共建活动",
    "pairing.rate": "季度评价共建",
    "pairing.end": "终止结对共建协议",
    "pairing.paper_only": "标记为仅面上共建",
    "pairing.paper_only_clear": "解除仅面上标记",
}


whistle_names = object_namer(Whistle, "number", "title")


def notice_names(ids: list[str]) -> dict[str, str]:
    """``CD-…-0001 的街道督办``."""
    return {
        str(pk): f"{number} 的{'街道' if level == 1 else '区'}督办"
        for pk, number, level in EscalationNotice.objects.filter(pk__in=ids).values_list(
            "pk", "whistle__number", "level"
        )
    }


def rule_names(ids: list[str]) -> dict[str, str]:
    labels = dict(IssueCategory.choices)
    return {
        str(pk): str(labels.get(category, category))
        for pk, category in WhistleRule.objects.filter(pk__in=ids).values_list("pk", "category")
    }


def _body_names(model: type[Department] | type[Unit]) -> AuditObjectNames:
    def names(ids: list[str]) -> dict[str, str]:
        rows = model.objects.filter(pk__in=ids).values_list("pk", "name")
        return {str(pk): name for pk, name in rows}

    return names


def liaison_names(ids: list[str]) -> dict[str, str]:
    """``liaison01 → 站前派出所``."""
    return {
        str(pk): f"{username} → {department or unit}"
        for pk, username, department, unit in Liaison.objects.filter(pk__in=ids).values_list(
            "pk", "user__username", "department__name", "unit__name"
        )
    }


def agreement_names(ids: list[str]) -> dict[str, str]:
    """``站前社区·城东第一中学``."""
    return {
        str(pk): f"{community}·{department or unit}"
        for pk, community, department, unit in PairingAgreement.objects.filter(
            pk__in=ids
        ).values_list("pk", "community__name", "department__name", "unit__name")
    }


AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    Whistle._meta.label_lower: whistle_names,
    EscalationNotice._meta.label_lower: notice_names,
    WhistleRule._meta.label_lower: rule_names,
    Department._meta.label_lower: _body_names(Department),
    Unit._meta.label_lower: _body_names(Unit),
    Liaison._meta.label_lower: liaison_names,
    PairingAgreement._meta.label_lower: agreement_names,
}
