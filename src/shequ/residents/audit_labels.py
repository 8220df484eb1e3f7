"""What the audit pages call the register's actions and objects (registered
in ``ResidentsConfig.ready()``). A resident is named masked (``张*``), and a
resident the register no longer holds is not named from the record: the
name written there was not masked."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.audit_chain import MISSING_OBJECT
from shequ.core.pii import mask_name
from shequ.core.registry import AuditObjectNames
from shequ.residents.models import ERASED_NAME, Household, Resident

AUDIT_ACTIONS = {
    "resident.create": "登记居民",
    "resident.update": "修改居民信息",
    "resident.unmask": "查看完整个人信息",
    "resident.import": "导入居民",
    "resident.export": "导出居民",
    "resident.leave": "居民迁出",
    "resident.restore": "撤销迁出",
    "resident.erase": "删除个人信息（保存期满）",
    "resident.data_export": "出具个人信息副本",
    "household.create": "登记住户",
    "household.move": "住户迁移",
    "pii.rekey": "个人信息换用新密钥",
}


def resident_names(ids: list[str]) -> dict[str, str]:
    names = dict.fromkeys(ids, MISSING_OBJECT)
    names.update(
        (str(pk), ERASED_NAME if erased_at else mask_name(name))
        for pk, name, erased_at in Resident.objects.filter(pk__in=ids).values_list(
            "pk", "name", "erased_at"
        )
    )
    return names


def household_names(ids: list[str]) -> dict[str, str]:
    """``化机小区1号楼1单元101室``."""
    return {
        str(pk): f"{compound}{building}{unit}{room}室"
        for pk, compound, building, unit, room in Household.objects.filter(pk__in=ids).values_list(
            "pk", "unit__compound__name", "building__name", "unit__name", "room"
        )
    }


AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    Resident._meta.label_lower: resident_names,
    Household._meta.label_lower: household_names,
}
