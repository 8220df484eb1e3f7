"""Permissions of departments and units, pairing (结对共建) and whistles (吹哨报到).

Each code with the roles that hold it; ``docs/permissions.md`` shows the
whole role table, generated from every app's registrations (``shequ
permissions``) and checked by a test.
"""

from shequ.core.permissions import COMMUNITY_STAFF, STAFF
from shequ.core.permissions import Role as R
from shequ.core.registry import Permission

PERMISSIONS = {
    "pairing.view": Permission(
        "查看结对共建", STAFF | {R.INSPECTOR, R.DEPARTMENT_LIAISON, R.UNIT_LIAISON}
    ),
    "pairing.manage": Permission(
        "签订和终止结对共建协议", frozenset({R.STREET_OFFICER, R.COMMUNITY_SECRETARY})
    ),
    "pairing.act": Permission(
        "登记共建活动", COMMUNITY_STAFF | {R.DEPARTMENT_LIAISON, R.UNIT_LIAISON}
    ),
    "pairing.rate": Permission("季度评价结对单位", frozenset({R.COMMUNITY_SECRETARY})),
    "department.manage": Permission(
        "维护职能部门、驻区单位和联络员", frozenset({R.DISTRICT_ADMIN})
    ),
    "whistle.view": Permission("查看吹哨报到", STAFF | {R.INSPECTOR, R.DEPARTMENT_LIAISON}),
    "whistle.raise": Permission(
        "吹哨（向职能部门派单）", frozenset({R.STREET_OFFICER, *COMMUNITY_STAFF})
    ),
    "whistle.report_in": Permission("职能部门报到", frozenset({R.DEPARTMENT_LIAISON})),
    "whistle.handle": Permission(
        "职能部门处置、办结或退回吹哨事项", frozenset({R.DEPARTMENT_LIAISON})
    ),
    "whistle.evaluate": Permission(
        "评价吹哨事项的办理结果", frozenset({R.STREET_OFFICER, R.COMMUNITY_SECRETARY})
    ),
    "whistle.reassign": Permission("改派被退回的吹哨事项", frozenset({R.STREET_OFFICER})),
    "scorecard.view": Permission(
        "查看职能部门考评",
        frozenset({R.DISTRICT_ADMIN, R.STREET_OFFICER, R.COMMUNITY_SECRETARY, R.INSPECTOR}),
    ),
}
