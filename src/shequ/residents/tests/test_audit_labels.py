"""What the audit pages call a resident and a household: the resident's name
masked, even when the register no longer holds the resident."""

import pytest

from shequ.core.audit import audit_log
from shequ.core.audit_chain import audit_name_objects
from shequ.core.models import AuditRecord
from shequ.core.tests.factories import actor_for
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.django_db


def test_a_resident_is_named_masked_and_a_household_by_its_address(tree, people):
    # given
    someone = resident(tree.unit2, name="王秀英", room="302")
    worker = actor_for(people.worker)
    records = [
        audit_log(actor=worker, action="resident.unmask", obj=someone),
        audit_log(actor=worker, action="household.create", obj=someone.household),
    ]

    # when
    audit_name_objects(records)

    # then
    assert [r.object_name for r in records] == ["王**", "化机小区1号楼2单元302室"]
    assert [r.action_label for r in records] == ["查看完整个人信息", "登记住户"]


def test_a_resident_the_register_lost_is_not_named_from_the_record(tree, people):
    # given: a record whose resident row is gone (its name was written unmasked)
    record = AuditRecord.objects.create(
        at=audit_log(actor=actor_for(people.worker), action="test.x").at,
        action="resident.update",
        object_type="residents.resident",
        object_id="999999",
        object_repr="王秀英",
    )

    # when
    audit_name_objects([record])

    # then
    assert record.object_name == "（已不存在）"
