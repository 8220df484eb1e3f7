"""Permissions of the resident register (居民档案).

Each code with the roles that hold it; ``docs/permissions.md`` shows the
whole role table, generated from every app's registrations (``shequ
permissions``) and checked by a test.
"""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "resident.view": Permission("查看居民", STAFF | {R.BUILDING_HEAD}),
    "resident.create": Permission("登记居民", COMMUNITY_STAFF),
    "resident.change": Permission("修改居民", COMMUNITY_STAFF),
    "resident.move": Permission("迁移住户", COMMUNITY_STAFF),
    "resident.leave": Permission("办理居民迁出、撤销迁出", COMMUNITY_STAFF),
    "resident.import": Permission("导入居民", COMMUNITY_STAFF),
    "resident.export": Permission("导出居民", STAFF),
    "resident.sensitive_tags": Permission("查看敏感标签（低保、残疾、特殊家庭等）", STAFF),
    "resident.unmask": Permission("查看完整身份证号和手机号", COMMUNITY_STAFF),
    "resident.self": Permission("查看本人信息", frozenset({R.RESIDENT})),
    # 个人信息副本 (PIPL 第四十五条): the secretary produces it for a person who asks
    # at the window; the person downloads their own with resident.self.
    "resident.data_export": Permission(
        "为居民出具个人信息副本", frozenset({R.COMMUNITY_SECRETARY})
    ),
}
