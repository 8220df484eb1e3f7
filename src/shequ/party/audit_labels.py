"""What the audit pages call the party module's actions and objects
(registered in ``PartyConfig.ready()``). Member records name the member
masked; a printed letter is recorded as an unmasked view of personal data."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.pii import mask_name
from shequ.core.registry import AuditObjectNames, object_namer
from shequ.party.models import (
    BuildingHead,
    FeedbackLetter,
    HouseholdVisit,
    MemberReportIn,
    Need,
    OrgRole,
    PartyMember,
    PartyOrg,
    ServiceLog,
    Station,
    Transfer,
    UnitReportIn,
)

AUDIT_ACTIONS = {
    # organisations
    "party_org.create": "成立党组织",
    "party_org.dissolve": "撤销党组织",
    "party_role.add": "任命班子成员",
    "party_role.end": "班子成员离任",
    "party_body.add": "登记共建组织",
    "party_rules.set": "设定党建规则",
    # members
    "party_member.create": "登记党员",
    "party_member.update": "修改党员信息",
    "party_member.confirm": "预备党员转正",
    "party_member.probation_remind": "提醒预备期将满",
    # transfers (workflow "transfer")
    "transfer.request": "申请组织关系接转",
    "transfer.approve": "接收组织关系",
    "transfer.complete": "完成组织关系接转",
    "transfer.return": "退回组织关系接转",
    "transfer.letter_print": "打印组织关系介绍信",
    # stations
    "station.create": "建立红旗驿站",
    "station_room.add": "登记驿站房间",
    "station_hours.set": "公示驿站开放时间",
    "station_duty.add": "安排驿站值班",
    "station_opening.log": "登记驿站开放",
    "station_activity.log": "登记驿站活动",
    # 楼长制
    "building_head.assign": "选配楼栋长",
    "building_head.end": "楼栋长离任",
    "household_visit.log": "登记入户走访",
    # 双报到
    "unit_report.create": "单位到社区报到",
    "unit_report.withdraw": "撤回单位报到",
    "member_report.create": "在职党员到社区报到",
    "need.post": "发布社区需求",
    "need.claim": "认领社区需求",
    "need.close": "关闭社区需求",
    "service_log.create": "登记报到服务",
    "feedback.send": "发送报到反馈函",
    "feedback.print": "打印报到反馈函",
}

AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    PartyOrg._meta.label_lower: object_namer(PartyOrg, "name"),
    OrgRole._meta.label_lower: object_namer(
        OrgRole, "org__name", "member__resident__name", label=lambda o, n: f"{o} {mask_name(n)}"
    ),
    PartyMember._meta.label_lower: object_namer(
        PartyMember, "resident__name", label=lambda n: f"党员 {mask_name(n)}"
    ),
    Transfer._meta.label_lower: object_namer(Transfer, "number"),
    Station._meta.label_lower: object_namer(Station, "name"),
    BuildingHead._meta.label_lower: object_namer(
        BuildingHead, "building__name", "resident__name", label=lambda b, n: f"{b} {mask_name(n)}"
    ),
    HouseholdVisit._meta.label_lower: object_namer(
        HouseholdVisit, "visited_on", "household__room", label=lambda d, r: f"{d} 走访{r}室"
    ),
    UnitReportIn._meta.label_lower: object_namer(
        UnitReportIn, "unit__name", label=lambda n: f"{n} 报到"
    ),
    MemberReportIn._meta.label_lower: object_namer(
        MemberReportIn, "member__resident__name", label=lambda n: f"党员 {mask_name(n)} 报到"
    ),
    Need._meta.label_lower: object_namer(Need, "title"),
    ServiceLog._meta.label_lower: object_namer(ServiceLog, "day", "what"),
    FeedbackLetter._meta.label_lower: object_namer(FeedbackLetter, "number"),
}
