"""Permissions of party-led governance (党建引领).

Member registers are seen only by the party roles: a party organisation's
secretary (scoped by the region the grant lies on) and the community
secretary, who by the 一肩挑 rule is the community party committee's
secretary too. Everyone else reads organisations, stations and figures,
never names.
"""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PARTY_ROLES = frozenset({R.PARTY_SECRETARY, R.COMMUNITY_SECRETARY})

PERMISSIONS = {
    "party.view": Permission(
        "查看党组织、红旗驿站和党建数据", STAFF | PARTY_ROLES | {R.INSPECTOR, R.BUILDING_HEAD}
    ),
    "party.rules": Permission(
        "设定党建规则（建支部门槛、驿站运行标准）", frozenset({R.DISTRICT_ADMIN})
    ),
    "party.org": Permission("维护党组织、班子成员和共建组织", PARTY_ROLES),
    "party.members": Permission("查看党员名册", PARTY_ROLES),
    "party.member_manage": Permission("登记党员、办理组织关系接转", PARTY_ROLES),
    "party.station": Permission("维护红旗驿站、登记开放和活动", PARTY_ROLES | COMMUNITY_STAFF),
    "party.heads": Permission("选配楼栋长、单元长", PARTY_ROLES | COMMUNITY_STAFF),
    "party.visit": Permission("入户走访", frozenset({R.BUILDING_HEAD})),
    "party.report_in": Permission(
        "管理双报到（报到、需求清单、服务登记、反馈）", COMMUNITY_STAFF | {R.PARTY_SECRETARY}
    ),
    "party.unit_report": Permission("本单位到社区报到", frozenset({R.UNIT_LIAISON})),
    "party.self": Permission("查看本人党员信息、认领社区需求", frozenset({R.RESIDENT})),
}
