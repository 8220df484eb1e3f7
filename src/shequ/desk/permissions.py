"""Permissions of the one-window service desk (一窗受理·全科服务).

Each code with the roles that hold it; ``docs/permissions.md`` shows the
whole role table, generated from every app's registrations (``shequ
permissions``) and checked by a test.
"""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "service_item.view": Permission("查看服务事项、窗口和受理资格", STAFF | {R.INSPECTOR}),
    "service_item.manage": Permission("维护区公共服务事项清单", frozenset({R.DISTRICT_ADMIN})),
    "service_item.adopt": Permission("认领社区服务事项", frozenset({R.COMMUNITY_SECRETARY})),
    "window.manage": Permission("设置综合窗口和排班", frozenset({R.COMMUNITY_SECRETARY})),
    "qualification.manage": Permission(
        "授予和收回受理资格", frozenset({R.STREET_OFFICER, R.COMMUNITY_SECRETARY})
    ),
    "case.view": Permission("查看办件", STAFF),
    "case.accept": Permission("窗口受理办件", COMMUNITY_STAFF),
    "case.handle": Permission("办理、转办、办结和送达办件", COMMUNITY_STAFF),
    "case.apply": Permission("网上申请办事", frozenset({R.RESIDENT})),
    "rectification.handle": Permission("落实差评整改", frozenset({R.COMMUNITY_SECRETARY})),
    "rectification.follow_up": Permission("整改回访", COMMUNITY_STAFF),
}
