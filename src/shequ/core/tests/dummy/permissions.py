from shequ.core.permissions import Role
from shequ.core.registry import Permission

PERMISSIONS = {"dummy.view": Permission("查看测试模块", frozenset({Role.COMMUNITY_WORKER}))}
