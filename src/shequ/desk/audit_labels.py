"""What the audit pages call the desk's actions and objects (registered in
``DeskConfig.ready()``). Applicants' names never appear: a case is its
receipt number and item."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.registry import AuditObjectNames, object_namer
from shequ.desk.models import (
    Case,
    CommunityItem,
    Notice,
    Qualification,
    Rating,
    Rectification,
    Review,
    ServiceItem,
    Window,
)

AUDIT_ACTIONS = {
    # 办件 (the intake, then CASE_FLOW's transitions)
    "case.apply": "网上申请办件",
    "case.accept": "受理办件",
    "case.decline": "不予受理",
    "case.start": "开始办理",
    "case.forward": "转办部门",
    "case.request_supplement": "要求补正材料",
    "case.supply": "补正材料",
    "case.suspend": "挂起办件",
    "case.resume": "恢复办理",
    "case.complete": "办结办件",
    "case.deliver": "送达办理结果",
    "case.withdraw": "申请人撤回",
    "case.lookup": "查询办件进度",
    "notice.issue": "出具一次性告知单",
    "notice.reissue": "重新出具一次性告知单",
    # 好差评 and 整改
    "review.submit": "提交好差评",
    "rectification.open": "下发整改",
    "rectification.rectify": "完成整改",
    "rectification.follow_up": "整改回访",
    # 事项清单, windows, qualifications
    "service_item.create": "新增服务事项",
    "service_item.revise": "修订服务事项",
    "service_item.retire": "停用服务事项",
    "service_item.import": "导入服务事项",
    "community_item.adopt": "社区认领事项",
    "community_item.drop": "社区取消认领事项",
    "window.create": "新增综合窗口",
    "window.update": "修改综合窗口",
    "window.duty_set": "安排窗口值班",
    "qualification.grant": "授予受理资格",
    "qualification.revoke": "收回受理资格",
}


def _joined(sep: str):
    return lambda *values: sep.join(map(str, values))


case_names = object_namer(Case, "receipt_no", "item__name")
notice_names = object_namer(Notice, "number", "item__name")
review_names = object_namer(
    Review, "case__receipt_no", "rating", label=lambda no, rating: f"{no}：{Rating(rating).label}"
)
rectification_names = object_namer(Rectification, "case__receipt_no", label="{} 的整改".format)
service_item_names = object_namer(ServiceItem, "code", "name")
community_item_names = object_namer(
    CommunityItem, "community__name", "item__name", label=_joined("·")
)
window_names = object_namer(Window, "community__name", "name", label=_joined("·"))
qualification_names = object_namer(
    Qualification, "worker__username", "community__name", label=_joined("@")
)


AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    Case._meta.label_lower: case_names,
    Notice._meta.label_lower: notice_names,
    Review._meta.label_lower: review_names,
    Rectification._meta.label_lower: rectification_names,
    ServiceItem._meta.label_lower: service_item_names,
    CommunityItem._meta.label_lower: community_item_names,
    Window._meta.label_lower: window_names,
    Qualification._meta.label_lower: qualification_names,
}
