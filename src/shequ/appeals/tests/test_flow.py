"""The appeal's life: raised, triaged, closed, rated, reopened; merges,
first-contact responsibility and external channels."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.appeals.models import Appeal, AppealState, AppealSupporter
from shequ.appeals.services import (
    appeal_close,
    appeal_hand_over,
    appeal_rate,
    appeal_receive,
    appeal_reopen,
    appeal_support,
    appeal_triage,
)
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.pii import decrypt


def _events(appeal: Appeal) -> list[str]:
    return list(
        TimelineEvent.objects.filter(object_id=appeal.pk, content_type__model="appeal")
        .order_by("id")
        .values_list("action", flat=True)
    )


def _audits(appeal: Appeal) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_resident_appeal_triaged_closed_and_rated(tree, people, folks, clock):
    # given a resident raising an appeal from the phone page on Tuesday 2026-09-29
    appeal = raise_appeal(folks.resident_actor, tree.community, place=tree.building)
    assert appeal.number == "2103020010012026092900001"
    assert (appeal.status, appeal.channel, appeal.resident_id) == (
        "submitted",
        "phone",
        folks.resident.pk,
    )
    assert (appeal.compound_id, appeal.building_id) == (tree.compound.pk, tree.building.pk)
    assert appeal.contact_name == "王秀兰"
    assert decrypt(appeal.phone_enc) == "13840001234"
    assert appeal.phone_masked == "138****1234"
    assert appeal.owner_id is None
    assert appeal.triage_due == dt.date(2026, 9, 30)  # one working day
    # when the worker triages it to the community, then closes it
    clock.advance(hours=2)
    triaged = appeal_triage(
        actor=folks.worker, appeal_id=appeal.pk, decision="self", note="物业协调"
    )
    assert (triaged.status, triaged.decision, triaged.owner_id) == (
        "handling",
        "self",
        people.worker.pk,
    )
    closed = appeal_close(
        actor=folks.worker, appeal_id=appeal.pk, result="已约谈店主，22点后停止营业。"
    )
    assert closed.status == "closed" and closed.closed_by_id == people.worker.pk
    # and the resident rates it
    rated = appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    # then every step is on the timeline and in the audit trail
    rated.refresh_from_db()
    assert (rated.status, rated.rating) == ("closed", "satisfied")
    assert _events(appeal) == ["submit", "triage", "close", "rate"]
    assert _audits(appeal) == ["appeal.create", "appeal.triage", "appeal.close", "appeal.rate"]


def test_rating_twice_is_refused(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已处理")
    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="basic")
    with pytest.raises(Conflict, match="已评价"):
        appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="unsatisfied")
    appeal.refresh_from_db()
    assert appeal.rating == "basic"
    assert _events(appeal).count("rate") == 1


def test_rating_needs_a_known_value_and_a_closed_appeal(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    with pytest.raises(Conflict, match="不能执行“居民评价”"):
        appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已处理")
    with pytest.raises(ValidationError, match="请选择评价"):
        appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="great")


def test_close_needs_a_result(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    with pytest.raises(ValidationError, match="请填写办理结果"):
        appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="  ")
    appeal.refresh_from_db()
    assert appeal.status == "handling"


def test_reopen_once_only_within_the_window(tree, folks, clock, settings):
    settings.APPEAL_REOPEN_DAYS = 7
    appeal = raise_appeal(folks.resident_actor, tree.community)
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已处理")
    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="unsatisfied")
    clock.advance(days=6)
    reopened = appeal_reopen(actor=folks.resident_actor, appeal_id=appeal.pk, reason="晚上还是很吵")
    assert (reopened.status, reopened.reopened_count, reopened.rating) == ("handling", 1, "")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已联合城管处理")
    with pytest.raises(Conflict, match="已重新办理过一次"):
        appeal_reopen(actor=folks.resident_actor, appeal_id=appeal.pk, reason="还是吵")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopened_count) == ("closed", 1)
    # the reopened appeal is rated afresh, once
    appeal_rate(actor=folks.resident_actor, appeal_id=appeal.pk, rating="satisfied")
    assert _events(appeal) == ["submit", "triage", "close", "rate", "reopen", "close", "rate"]


def test_reopen_after_the_window_is_refused(tree, folks, clock):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal_close(actor=folks.worker, appeal_id=appeal.pk, result="已处理")
    clock.advance(days=7, minutes=1)
    with pytest.raises(Conflict, match="办结7天内"):
        appeal_reopen(actor=folks.resident_actor, appeal_id=appeal.pk, reason="没解决")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopened_count) == ("closed", 0)


def test_merge_counts_the_duplicate_and_its_supporters(tree, folks):
    original = raise_appeal(folks.resident_actor, tree.community)
    duplicate = raise_appeal(folks.worker, tree.community, description="饭店深夜噪音扰民")
    appeal_support(actor=folks.neighbour_actor, appeal_id=duplicate.pk)
    appeal_support(actor=folks.neighbour_actor, appeal_id=original.pk)
    merged = appeal_triage(
        actor=folks.secretary, appeal_id=duplicate.pk, decision="merge", duplicate_of_id=original.pk
    )
    assert (merged.status, merged.duplicate_of_id, merged.decision) == (
        "merged",
        original.pk,
        "merge",
    )
    original.refresh_from_db()
    assert original.supporters == 1 + 1 + 1  # own "me too", the duplicate, its "me too"
    assert original.status == "submitted"
    assert _events(original) == ["submit", "support", "absorb"]
    assert "appeal.absorb" in _audits(original)


@pytest.mark.parametrize("case", ["itself", "closed", "other_community", "missing"])
def test_merge_refusals(tree, folks, case):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    if case == "itself":
        target = appeal.pk
    elif case == "closed":
        done = raise_appeal(folks.worker, tree.community)
        appeal_triage(actor=folks.worker, appeal_id=done.pk, decision="self")
        appeal_close(actor=folks.worker, appeal_id=done.pk, result="已处理")
        target = done.pk
    elif case == "other_community":
        target = raise_appeal(folks.other_worker, tree.other_community).pk
    else:
        target = 999999
    with pytest.raises(ValidationError):
        appeal_triage(
            actor=folks.worker, appeal_id=appeal.pk, decision="merge", duplicate_of_id=target
        )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.duplicate_of_id, appeal.owner_id) == ("submitted", None, None)


def test_deliberation_needs_a_catalog_item_whistle_needs_a_department(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    with pytest.raises(ValidationError, match="请选择协商目录中的条目"):
        appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="deliberation")
    with pytest.raises(ValidationError, match="请选择职能部门"):
        appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="whistle")
    appeal.refresh_from_db()
    assert appeal.status == "submitted"


def test_support_once_per_person_and_not_on_own(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    appeal_support(actor=folks.neighbour_actor, appeal_id=appeal.pk)
    with pytest.raises(Conflict, match="已经点过"):
        appeal_support(actor=folks.neighbour_actor, appeal_id=appeal.pk)
    with pytest.raises(Conflict, match="本人提出"):
        appeal_support(actor=folks.resident_actor, appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert appeal.supporters == 1
    assert AppealSupporter.objects.filter(appeal=appeal).count() == 1


def test_first_contact_owner_and_hand_over(tree, people, folks):
    # a worker who registers an appeal owns it
    at_window = raise_appeal(folks.worker, tree.community)
    assert at_window.owner_id == people.worker.pk
    # a resident's appeal is owned by the first worker who triages it
    own = raise_appeal(folks.resident_actor, tree.community)
    appeal_triage(actor=folks.secretary, appeal_id=own.pk, decision="self")
    own.refresh_from_db()
    assert own.owner_id == people.secretary.pk
    # only the owner hands on, to a worker of the community, with a reason
    with pytest.raises(PermissionDenied, match="只有首接负责人可以移交"):
        appeal_hand_over(
            actor=folks.worker, appeal_id=own.pk, to_user_id=people.worker.pk, note="我来"
        )
    with pytest.raises(ValidationError, match="接手人须是本社区"):
        appeal_hand_over(
            actor=folks.secretary, appeal_id=own.pk, to_user_id=people.other_worker.pk, note="换人"
        )
    with pytest.raises(ValidationError, match="请填写移交原因"):
        appeal_hand_over(
            actor=folks.secretary, appeal_id=own.pk, to_user_id=people.worker.pk, note=""
        )
    appeal_hand_over(
        actor=folks.secretary, appeal_id=own.pk, to_user_id=people.worker.pk, note="熟悉该小区"
    )
    own.refresh_from_db()
    assert own.owner_id == people.worker.pk
    assert _events(own) == ["submit", "triage", "hand_over"]
    record = AuditRecord.objects.get(action="appeal.hand_over")
    assert record.changes["owner"] == [people.secretary.pk, people.worker.pk]
    # triage by another worker no longer changes the owner
    other = raise_appeal(folks.secretary, tree.community)
    appeal_triage(actor=folks.worker, appeal_id=other.pk, decision="self")
    other.refresh_from_db()
    assert other.owner_id == people.secretary.pk


def test_an_owner_who_left_can_be_replaced(tree, people, folks):
    appeal = raise_appeal(folks.worker, tree.community)
    people.worker.is_active = False
    people.worker.save(update_fields=["is_active"])
    appeal_hand_over(
        actor=folks.secretary,
        appeal_id=appeal.pk,
        to_user_id=people.secretary.pk,
        note="原负责人离职",
    )
    appeal.refresh_from_db()
    assert appeal.owner_id == people.secretary.pk


def test_appeal_receive_works_without_a_user(tree, people, folks):
    appeal = appeal_receive(
        source="12345热线",
        community=tree.community,
        kind="help",
        category="repair",
        description="小区路灯坏了三天",
        contact_name="赵先生",
        contact_phone="13912345678",
        lat="41.123456",
        long="123.456789",
    )
    assert (appeal.channel, appeal.submitted_by_id, appeal.owner_id, appeal.anonymous) == (
        "open311", None, None, False,
    )  # fmt: skip
    assert appeal.phone_masked == "139****5678"
    record = AuditRecord.objects.get(action="appeal.create", object_id=str(appeal.pk))
    assert (record.username, record.user_id) == ("系统:12345热线", None)
    anonymous = appeal_receive(
        source="open311:demo", community=tree.community, kind="suggestion", category="other",
        description="建议增加健身器材",
    )  # fmt: skip
    assert (anonymous.anonymous, anonymous.phone_enc) == (True, None)
    # the first worker who triages it takes ownership
    appeal_triage(actor=folks.worker, appeal_id=appeal.pk, decision="self")
    appeal.refresh_from_db()
    assert appeal.owner_id == people.worker.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": "<script>alert(1)</script>"}, "不能包含HTML标签"),
        ({"description": "请看<b>这里</b>"}, "不能包含HTML标签"),
        ({"description": "字" * 4001}, "不能超过4000字"),
        ({"description": ""}, "请填写诉求内容"),
        ({"category": "weather"}, "请选择诉求类别"),
        ({"kind": "praise"}, "请选择诉求类型"),
        ({"lat": "91", "long": "120"}, "纬度应在-90到90之间"),
        ({"lat": "41", "long": "abc"}, "经度应为数字"),
        ({"lat": "41"}, "经纬度须同时填写"),
        ({"channel": "open311"}, "居民本人反映的渠道只能是手机"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(tree, folks, overrides, message):
    with pytest.raises(ValidationError, match=message):
        raise_appeal(folks.resident_actor, tree.community, **overrides)
    assert Appeal.objects.count() == 0
    assert TimelineEvent.objects.count() == 0


def test_description_with_a_less_than_sign_is_plain_text(tree, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community, description="温度<5度时暖气不热")
    assert appeal.description == "温度<5度时暖气不热"


def test_receive_refuses_bad_coordinates(tree):
    with pytest.raises(ValidationError, match="经度应在-180到180之间"):
        appeal_receive(
            source="open311:demo", community=tree.community, kind="help", category="other",
            description="测试", lat="40", long="190",
        )  # fmt: skip
    assert Appeal.objects.count() == 0


def test_anonymous_needs_no_phone_and_keeps_no_name(tree, folks):
    appeal = raise_appeal(folks.worker, tree.community, anonymous=True, contact_phone="")
    assert (appeal.anonymous, appeal.contact_name, appeal.phone_tail) == (True, "", "")
    with pytest.raises(ValidationError, match="请填写联系电话"):
        raise_appeal(folks.worker, tree.community, contact_phone="")


def test_states_reserved_for_later_modules_exist():
    assert AppealState.WHISTLED.label == "已吹哨"
    assert AppealState.DELIBERATION.label == "议事协商"
