"""Permissions of the Open311 interface.

Each code with the roles that hold it; ``docs/permissions.md`` shows the
whole role table, generated from every app's registrations (``shequ
permissions``) and checked by a test.
"""

from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "open311.manage": Permission("管理 Open311 接入客户端", frozenset({R.DISTRICT_ADMIN})),
}
