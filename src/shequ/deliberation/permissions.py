"""Permissions of resident deliberation (议事协商)."""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "deliberation.view": Permission(
        "查看议事协商", STAFF | {R.BUILDING_HEAD, R.INSPECTOR, R.DEPARTMENT_LIAISON}
    ),
    "deliberation.catalog": Permission("维护协商目录", frozenset({R.DISTRICT_ADMIN})),
    "deliberation.adopt": Permission("采用协商目录、增补本社区条目", COMMUNITY_STAFF),
    "deliberation.propose": Permission(
        "提出议题（本人或代为登记）", COMMUNITY_STAFF | {R.BUILDING_HEAD, R.RESIDENT}
    ),
    "deliberation.review": Permission("审核议题", COMMUNITY_STAFF),
    "deliberation.meet": Permission("组织协商会议（公告、签到、表决、纪要）", COMMUNITY_STAFF),
    "deliberation.take_part": Permission("附议、表决、提出异议和评价", frozenset({R.RESIDENT})),
    "deliberation.outcome": Permission("推进协商成果", COMMUNITY_STAFF),
}
