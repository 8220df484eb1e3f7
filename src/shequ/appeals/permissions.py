"""Permissions of residents' appeals (居民诉求).

Each code with the roles that hold it; ``docs/permissions.md`` shows the
whole role table, generated from every app's registrations (``shequ
permissions``) and checked by a test.
"""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "appeal.view": Permission("查看居民诉求", STAFF | {R.BUILDING_HEAD}),
    "appeal.create": Permission(
        "登记居民诉求（本人或代为登记）", COMMUNITY_STAFF | {R.BUILDING_HEAD}
    ),
    "appeal.triage": Permission("分办、办结和合并居民诉求", COMMUNITY_STAFF),
    "appeal.self": Permission("提出和查看本人的诉求", frozenset({R.RESIDENT})),
}
