"""What the audit pages call core's own actions and objects (registered in
``CoreConfig.ready()``; each app registers its own the same way)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Exists, OuterRef

from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.pii import mask_name
from shequ.core.registry import AuditObjectNames

AUDIT_ACTIONS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.session_expired": "会话超时退出",
    "auth.session_replaced": "新登录结束此前会话",
    "auth.otp_enrol": "绑定动态口令",
    "auth.otp_reset": "重置动态口令",
    "user.disable_dormant": "长期未登录自动停用",
    "user.create": "新建账号",
    "user.change": "修改账号",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "grant.create": "授予角色",
    "grant.revoke": "收回角色",
    "grant.delegate": "随任职授予楼栋长角色",
    "grant.undelegate": "随离任收回楼栋长角色",
    "token.create": "申请接口令牌",
    "token.revoke": "吊销接口令牌",
    "region.create": "新增区划",
    "region.update": "修改区划",
    "region.move": "调整区划隶属",
    "holiday.set": "设置节假日",
    "holiday.delete": "删除节假日",
    "calendar.import": "导入年度节假日",
    "announcement.publish": "发布公告",
    "announcement.read": "阅读公告",
    "notification.read": "阅读通知",
    "notification.read_all": "全部通知标为已读",
    "backup.create": "备份数据库",
    "backup.restore": "恢复数据库",
    "audit.export": "导出审计记录",
    "audit.chain_verified": "审计链每日校验通过",
    "audit.chain_broken": "审计链每日校验发现问题",
}


def user_names(ids: list[str]) -> dict[str, str]:
    """``worker01（张三）``: the account name and the person's name, masked
    for a resident's account (``resident01（李*）``)."""
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(is_resident=Exists(Grant.objects.filter(user=OuterRef("pk"), role=Role.RESIDENT)))
        .values_list("pk", "username", "full_name", "is_resident")
    )
    return {
        str(pk): f"{username}（{mask_name(name) if resident else name}）" if name else username
        for pk, username, name, resident in rows
    }


def region_names(ids: list[str]) -> dict[str, str]:
    """A compound's building or unit with the compound it is in
    (``化机小区1号楼1单元``: "1单元" alone names a hundred places)."""
    names = {}
    for region in Region.objects.filter(pk__in=ids).select_related("compound", "building"):
        parts = [region.name]
        if region.level == RegionLevel.UNIT and region.building is not None:
            parts.insert(0, region.building.name)
        if region.level in (RegionLevel.BUILDING, RegionLevel.UNIT) and region.compound:
            parts.insert(0, region.compound.name)
        names[str(region.pk)] = "".join(parts)
    return names


def grant_names(ids: list[str]) -> dict[str, str]:
    """``worker01：社区工作者·站前社区`` (a revoked grant keeps the name it was written with)."""
    return {
        str(g.pk): f"{g.user.username}：{g.get_role_display()}·{g.region.name}"
        for g in Grant.objects.filter(pk__in=ids).select_related("user", "region")
    }


AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    User._meta.label_lower: user_names,
    Region._meta.label_lower: region_names,
    Grant._meta.label_lower: grant_names,
}
