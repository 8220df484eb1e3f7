"""Permission is data: every role and what it may do, in one place.

Views declare ``@requires("resident.view")``; API endpoints do the same;
selectors apply the scope of the active grant. Changing who may do what is an
edit of ``ROLE_PERMISSIONS`` below and nothing else.
"""

from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区民政管理员"
    STREET_OFFICER = "street_officer", "街道干部"
    COMMUNITY_SECRETARY = "community_secretary", "社区书记"
    COMMUNITY_WORKER = "community_worker", "社区工作者"
    BUILDING_HEAD = "building_head", "楼栋长"
    INSPECTOR = "inspector", "视察委员（只读）"
    RESIDENT = "resident", "居民"
    # Accounts of a department or stationed unit (granted on the district;
    # whistles.Liaison names the body): they see only what is addressed to it.
    DEPARTMENT_LIAISON = "department_liaison", "职能部门联络员"
    UNIT_LIAISON = "unit_liaison", "驻区单位联络员"
    # 等保 三员分立: three administrators, no account holds two of them.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
LIAISON_ROLES = frozenset({Role.DEPARTMENT_LIAISON, Role.UNIT_LIAISON})

PERMISSIONS: dict[str, str] = {
    "home.view": "查看首页",
    "region.view": "查看区划",
    "region.manage": "维护区划",
    "stats.view": "查看统计",
    "resident.view": "查看居民",
    "resident.create": "登记居民",
    "resident.change": "修改居民",
    "resident.move": "迁移住户",
    "resident.import": "导入居民",
    "resident.export": "导出居民",
    "resident.sensitive_tags": "查看敏感标签（低保、残疾、特殊家庭等）",
    "resident.unmask": "查看完整身份证号和手机号",
    "resident.self": "查看本人信息",
    "calendar.view": "查看工作日历",
    "calendar.manage": "维护节假日",
    "user.manage": "管理用户账号",
    "grant.manage": "授予和收回角色",
    "audit.view": "查阅审计记录",
    "api.token": "申请接口令牌",
    "service_item.view": "查看服务事项、窗口和受理资格",
    "service_item.manage": "维护区公共服务事项清单",
    "service_item.adopt": "认领社区服务事项",
    "window.manage": "设置综合窗口和排班",
    "qualification.manage": "授予和收回受理资格",
    "case.view": "查看办件",
    "case.accept": "窗口受理办件",
    "case.handle": "办理、转办、办结和送达办件",
    "case.apply": "网上申请办事",
    "rectification.handle": "落实差评整改",
    "rectification.follow_up": "整改回访",
    "appeal.view": "查看居民诉求",
    "appeal.create": "登记居民诉求（本人或代为登记）",
    "appeal.triage": "分办、办结和合并居民诉求",
    "appeal.self": "提出和查看本人的诉求",
    "open311.manage": "管理 Open311 接入客户端",
    "pairing.view": "查看结对共建",
    "pairing.manage": "签订和终止结对共建协议",
    "pairing.act": "登记共建活动",
    "pairing.rate": "季度评价结对单位",
    "department.manage": "维护职能部门、驻区单位和联络员",
    "whistle.view": "查看吹哨报到",
    "whistle.raise": "吹哨（向职能部门派单）",
    "whistle.report_in": "职能部门报到",
    "whistle.handle": "职能部门处置、办结或退回吹哨事项",
    "whistle.evaluate": "评价吹哨事项的办理结果",
    "whistle.reassign": "改派被退回的吹哨事项",
    "scorecard.view": "查看职能部门考评",
}

_READ_REGION = {"home.view", "region.view", "stats.view", "calendar.view"}
_REGISTER = {
    "resident.view",
    "resident.create",
    "resident.change",
    "resident.move",
    "resident.import",
    "resident.export",
    "resident.sensitive_tags",
    "resident.unmask",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(
        _READ_REGION
        | {
            "region.manage",
            "calendar.manage",
            "resident.view",
            "resident.export",
            "resident.sensitive_tags",
            "api.token",
            "service_item.view",
            "service_item.manage",
            "case.view",
            "appeal.view",
            "open311.manage",
            "pairing.view",
            "department.manage",
            "whistle.view",
            "scorecard.view",
        }
    ),
    Role.STREET_OFFICER: frozenset(
        _READ_REGION
        | {"resident.view", "resident.export", "resident.sensitive_tags", "api.token"}
        | {"service_item.view", "qualification.manage", "case.view", "appeal.view"}
        | {"pairing.view", "pairing.manage"}
        | {"whistle.view", "whistle.raise", "whistle.evaluate", "whistle.reassign"}
        | {"scorecard.view"}
    ),
    Role.COMMUNITY_SECRETARY: frozenset(
        _READ_REGION
        | _REGISTER
        | {"api.token", "service_item.view", "service_item.adopt", "window.manage"}
        | {"qualification.manage", "case.view", "case.accept", "case.handle"}
        | {"rectification.handle", "rectification.follow_up"}
        | {"appeal.view", "appeal.create", "appeal.triage"}
        | {"pairing.view", "pairing.manage", "pairing.act", "pairing.rate"}
        | {"whistle.view", "whistle.raise", "whistle.evaluate", "scorecard.view"}
    ),
    Role.COMMUNITY_WORKER: frozenset(
        _READ_REGION
        | _REGISTER
        | {"api.token", "service_item.view", "case.view", "case.accept", "case.handle"}
        | {"rectification.follow_up", "appeal.view", "appeal.create", "appeal.triage"}
        | {"pairing.view", "pairing.act"}
        | {"whistle.view", "whistle.raise"}
    ),
    # A building head knows the residents of the building, not their 低保 or
    # disability status, and never sees a full ID number.
    Role.BUILDING_HEAD: frozenset(
        {"home.view", "region.view", "resident.view", "appeal.view", "appeal.create"}
    ),
    Role.INSPECTOR: frozenset(
        _READ_REGION | {"service_item.view", "pairing.view", "whistle.view", "scorecard.view"}
    ),
    Role.RESIDENT: frozenset({"home.view", "resident.self", "case.apply", "appeal.self"}),
    Role.DEPARTMENT_LIAISON: frozenset(
        {"home.view", "pairing.view", "pairing.act"}
        | {"whistle.view", "whistle.report_in", "whistle.handle"}
    ),
    Role.UNIT_LIAISON: frozenset({"home.view", "pairing.view", "pairing.act"}),
    Role.SYSTEM_ADMIN: frozenset({"home.view", "region.view", "user.manage", "calendar.view"}),
    Role.SECURITY_ADMIN: frozenset({"home.view", "region.view", "grant.manage"}),
    Role.AUDIT_ADMIN: frozenset({"home.view", "audit.view"}),
}


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(permission: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
