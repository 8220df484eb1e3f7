"""迁出, 撤销迁出 and the erasure of a resident's personal data once the
retention period has passed (the register only; the other apps' part of the
erasure is tested in ``shequ/tests/test_privacy_erasure.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from shequ.core import registry
from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Grant, RegionStat, User
from shequ.core.permissions import Role
from shequ.core.pii import blind_index, decrypt
from shequ.core.tests.factories import actor_for, grant, user_with
from shequ.residents import retention, selectors, services
from shequ.residents.models import ERASED_NAME, LeaveReason, Relation, Resident, Tag
from shequ.residents.rekey import residents_rekey
from shequ.residents.rollups import region_stats_rebuild
from shequ.residents.tests.helpers import id_number, resident

DAY = dt.date(2026, 9, 29)  # the clock fixture's first day
WANG_ID = id_number(21, dt.date(1956, 7, 14))


def _count(region) -> int:
    return RegionStat.objects.get(region=region).residents


def _leave(actor, r, **kw):
    fields = {"left_at": DAY, "reason": LeaveReason.MOVED_OUT, "note": "随子女迁往外省"}
    return retention.resident_leave(actor=actor, resident=r, **{**fields, **kw})


def _row(r: Resident) -> tuple:
    r = Resident.objects.get(pk=r.pk)
    return (r.name, r.relation, r.left_at, r.left_reason, r.left_note, r.erased_at)


@pytest.fixture
def wang(tree, clock):
    return resident(
        tree.unit,
        name="王建国",
        number=WANG_ID,
        phone="13912345678",
        relation=Relation.HEAD,
        tags=[Tag.VETERAN, Tag.LIVES_ALONE],
    )


@pytest.fixture
def worker(people):
    return actor_for(people.worker)


# -- 迁出 ----------------------------------------------------------------------------------


def test_leave_hides_the_resident_from_lists_and_counts(tree, clock, wang, worker):
    # given two residents of the community
    li = resident(tree.unit2, name="李娜", seq=22)
    assert [_count(tree.unit), _count(tree.community), _count(tree.district)] == [1, 2, 2]
    # when the worker registers 王建国's leaving
    _leave(worker, wang)
    # then the default list and the counts hold only 李娜; the filter 已迁出 shows him
    assert list(selectors.resident_list(actor=worker)) == [li]
    assert list(selectors.resident_list(actor=worker, status="left")) == [wang]
    assert list(selectors.resident_list(actor=worker, q=WANG_ID)) == []
    assert list(selectors.resident_list(actor=worker, q=WANG_ID, status="left")) == [wang]
    assert [_count(tree.unit), _count(tree.community), _count(tree.district)] == [0, 1, 1]
    # and the tick's rebuild agrees with the bumps
    region_stats_rebuild()
    assert [_count(tree.unit), _count(tree.community), _count(tree.district)] == [0, 1, 1]
    assert _row(wang) == ("王建国", "head", DAY, "moved_out", "随子女迁往外省", None)
    audit = AuditRecord.objects.get(action="resident.leave")
    assert audit.changes == {
        "left_at": "2026-09-29",
        "reason": "迁出本区",
        "erase_on": "2029-09-28",
    }
    assert audit.object_id == str(wang.pk) and audit.success is True


def test_an_unknown_status_filter_is_refused(tree, worker):
    with pytest.raises(ValidationError, match="未知的居民状态"):
        selectors.resident_list(actor=worker, status="gone")


def test_leaving_twice_is_refused_and_changes_nothing(tree, clock, wang, worker):
    _leave(worker, wang)
    before = (_row(wang), _count(tree.community), AuditRecord.objects.count())
    with pytest.raises(Conflict, match="该居民已于2026-09-29迁出，不能重复办理。"):
        _leave(worker, wang, left_at=DAY - dt.timedelta(days=1))
    assert (_row(wang), _count(tree.community), AuditRecord.objects.count()) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"left_at": DAY + dt.timedelta(days=1)}, "迁出日期不能晚于今天。"),
        ({"left_at": DAY - dt.timedelta(days=1)}, "迁出日期不能早于登记日期（2026-09-29）。"),
        ({"left_at": None}, "请填写迁出日期。"),
        ({"reason": "fled"}, "请选择迁出原因：迁出本区、死亡或其他。"),
        ({"reason": LeaveReason.OTHER, "note": " "}, "迁出原因为“其他”时，请在说明中写明原因。"),
        ({"note": "迁往\u202e外省"}, "迁出说明含有无法显示的控制字符或乱码"),
        ({"note": "长" * 201}, "迁出说明"),
    ],
)
def test_bad_leave_input_is_refused_and_nothing_written(tree, clock, wang, worker, fields, message):
    with pytest.raises(ValidationError, match=message):
        _leave(worker, wang, **fields)
    assert _row(wang) == ("王建国", "head", None, "", "", None)
    assert _count(tree.community) == 1
    assert not AuditRecord.objects.filter(action="resident.leave").exists()


def test_a_head_who_leaves_hands_the_household_to_a_member(tree, clock, wang, worker):
    # given 王建国 (head) and his wife
    wife = resident(tree.unit, name="刘芳", seq=23, relation=Relation.SPOUSE)
    assert list(selectors.head_successors(resident=wang)) == [wife]
    # when he leaves and names her the new head
    _leave(worker, wang, reason=LeaveReason.DECEASED, note="", new_head=wife.pk)
    # then she is the head, audited; the household still has exactly one current head
    assert Resident.objects.get(pk=wife.pk).relation == Relation.HEAD
    update = AuditRecord.objects.get(action="resident.update", object_id=str(wife.pk))
    assert update.changes == {"relation": ["配偶", "户主"]}
    assert update.message == "原户主迁出，改为户主"
    with pytest.raises(ValidationError, match=r"该户已有户主（刘\*）"):
        services.resident_create(
            actor=worker,
            household=wang.household,
            name="赵强",
            id_number=id_number(24),
            relation=Relation.HEAD,
        )


def test_a_successor_must_be_a_current_member_of_the_household(tree, clock, wang, worker):
    neighbour = resident(tree.unit, name="赵六", seq=25, room="202")
    wife = resident(tree.unit, name="刘芳", seq=23, relation=Relation.SPOUSE)
    with pytest.raises(ValidationError, match="新户主须是本户其他在册成员。"):
        _leave(worker, wang, new_head=neighbour.pk)
    with pytest.raises(ValidationError, match="只有户主迁出时才能指定新户主。"):
        _leave(worker, wife, new_head=wang.pk)
    assert Resident.objects.current().count() == 3


def test_after_the_head_left_a_member_can_be_made_head(tree, clock, wang, worker):
    wife = resident(tree.unit, name="刘芳", seq=23, relation=Relation.SPOUSE)
    _leave(worker, wang)
    services.resident_update(actor=worker, resident=wife, relation=Relation.HEAD)
    assert Resident.objects.get(pk=wife.pk).relation == Relation.HEAD


def test_restoring_a_head_when_the_household_has_a_new_one_is_refused(tree, clock, wang, worker):
    wife = resident(tree.unit, name="刘芳", seq=23, relation=Relation.SPOUSE)
    _leave(worker, wang, new_head=wife.pk)
    with pytest.raises(ValidationError) as refused:
        retention.resident_restore(actor=worker, resident=wang)
    assert refused.value.message == (
        "该户已有户主（刘*），请先修改现户主的“与户主关系”，再撤销迁出。"
    )
    assert _row(wang)[2] == DAY
    # once she is no longer head, he comes back as head
    services.resident_update(actor=worker, resident=wife, relation=Relation.SPOUSE)
    retention.resident_restore(actor=worker, resident=wang)
    assert _row(wang) == ("王建国", "head", None, "", "", None)


def test_restore_brings_the_resident_back_into_lists_and_counts(tree, clock, wang, worker):
    _leave(worker, wang)
    clock.advance(days=30)
    retention.resident_restore(actor=worker, resident=wang)
    assert list(selectors.resident_list(actor=worker)) == [wang]
    assert [_count(tree.unit), _count(tree.community), _count(tree.district)] == [1, 1, 1]
    audit = AuditRecord.objects.get(action="resident.restore")
    assert audit.changes == {"left_at": "2026-09-29", "reason": "迁出本区"}
    with pytest.raises(Conflict, match="该居民未迁出，无需撤销。"):
        retention.resident_restore(actor=worker, resident=wang)


def test_a_resident_who_left_cannot_be_edited(tree, clock, wang, worker):
    _leave(worker, wang)
    with pytest.raises(Conflict, match="已于2026-09-29迁出，不能修改；如已迁回，请先撤销迁出。"):
        services.resident_update(actor=worker, resident=wang, name="王建军")
    assert _row(wang)[0] == "王建国"


def test_registering_the_id_of_a_resident_who_left_points_to_restore(tree, clock, wang, worker):
    _leave(worker, wang)
    with pytest.raises(ValidationError) as refused:
        services.resident_register(
            actor=worker, unit=tree.unit2, room="301", name="王建国", id_number=WANG_ID,
            relation=Relation.HEAD,
        )  # fmt: skip
    assert refused.value.message == (
        "该身份证号已在本社区登记（居民：王**）。该居民已于2026-09-29迁出，如已迁回，请撤销迁出。"
    )


def test_moving_a_household_counts_its_current_members_only(tree, clock, wang, worker):
    resident(tree.unit, name="刘芳", seq=23, relation=Relation.SPOUSE)
    _leave(worker, wang)
    services.household_move(actor=worker, household=wang.household, unit=tree.unit2, room="501")
    assert [_count(tree.unit), _count(tree.unit2), _count(tree.community)] == [0, 1, 1]
    assert AuditRecord.objects.get(action="household.move").changes["members"] == 1


def test_figures_of_the_past_keep_the_resident_who_left(tree, clock, wang, worker):
    clock.advance(days=10)
    _leave(worker, wang, left_at=DAY + dt.timedelta(days=5))
    assert selectors.residents_on(region=tree.community, day=DAY) == 1
    assert selectors.residents_on(region=tree.community, day=DAY + dt.timedelta(days=4)) == 1
    assert selectors.residents_on(region=tree.community, day=DAY + dt.timedelta(days=5)) == 0
    assert selectors.residents_on(region=tree.unit, day=DAY) == 1
    clock.set(DAY + dt.timedelta(days=5 + 1095))
    retention.residents_erase_expired()
    assert selectors.residents_on(region=tree.district, day=DAY) == 1


# -- who may ---------------------------------------------------------------------------------


def test_only_the_communitys_staff_may_register_a_leave(tree, clock, people, wang):
    for user in (people.street_officer, people.building_head, people.inspector, people.resident):
        with pytest.raises(PermissionDenied, match="办理居民迁出、撤销迁出"):
            _leave(actor_for(user), wang)
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        _leave(actor_for(people.other_worker), wang)
    assert _row(wang)[2] is None
    assert _leave(actor_for(people.secretary), wang).left_at == DAY


PAGE_ROLES = {
    # role: (GET leave form, POST leave, POST restore)
    "anonymous": (302, 302, 302),
    "resident": (403, 403, 403),
    "building_head": (403, 403, 403),
    "inspector": (403, 403, 403),
    "street_officer": (403, 403, 403),
    "district_admin": (403, 403, 403),
    "other_worker": (404, 404, 404),
    "secretary": (200, 302, 302),
    "worker": (200, 302, 302),
}


@pytest.mark.parametrize("role", sorted(PAGE_ROLES))
def test_leave_and_restore_pages_permission_matrix(client, tree, clock, people, wang, role):
    if role != "anonymous":
        client.force_login(getattr(people, role))
    expected_get, expected_leave, expected_restore = PAGE_ROLES[role]
    leave_url = reverse("residents:leave", args=[wang.pk])
    assert client.get(leave_url).status_code == expected_get
    posted = {"left_at": "2026-09-29", "reason": "moved_out", "note": ""}
    assert client.post(leave_url, posted).status_code == expected_leave
    if expected_leave == 302 and role != "anonymous":
        assert _row(wang)[2] == DAY
        assert _count(tree.community) == 0
    else:
        assert _row(wang)[2] is None  # nothing changed
        assert _count(tree.community) == 1
        Resident.objects.filter(pk=wang.pk).update(left_at=DAY, left_reason="moved_out")
    restore = client.post(reverse("residents:restore", args=[wang.pk]))
    assert restore.status_code == expected_restore
    assert (_row(wang)[2] is None) == (expected_restore == 302 and role != "anonymous")


def test_the_resident_page_offers_leave_then_restore(client, tree, clock, people, wang):
    client.force_login(people.worker)
    page = client.get(reverse("residents:detail", args=[wang.pk])).content.decode()
    assert 'id="leave-button"' in page and 'id="restore-button"' not in page
    response = client.post(
        reverse("residents:leave", args=[wang.pk]),
        {"left_at": "2026-09-29", "reason": "other", "note": "投靠亲属"},
        follow=True,
    )
    page = response.content.decode()
    assert "已办理 王建国 迁出。" in page
    assert 'id="restore-button"' in page and 'id="leave-button"' not in page
    assert "该居民于 2026-09-29 迁出（其他：投靠亲属）" in page
    assert "保存期满（2029-09-28）后将删除其个人信息" in page
    # the list hides him, the 已迁出 filter shows him
    listing = client.get(reverse("residents:list")).content.decode()
    assert "王建国" not in listing
    listing = client.get(reverse("residents:list"), {"status": "left"}).content.decode()
    assert "王建国" in listing and "2026-09-29 迁出" in listing


def test_a_bad_leave_form_is_shown_again_in_chinese(client, tree, clock, people, wang):
    client.force_login(people.worker)
    url = reverse("residents:leave", args=[wang.pk])
    response = client.post(url, {"left_at": "2030-01-01", "reason": "moved_out"})
    assert response.status_code == 422
    assert "迁出日期不能晚于今天。" in response.content.decode()
    response = client.post(url, {"left_at": "2026-02-30", "reason": "moved_out"})
    assert response.status_code == 422
    assert _row(wang)[2] is None
    assert AuditRecord.objects.get(action="resident.leave", success=False).message == (
        "迁出日期不能晚于今天。"
    )


def test_restoring_twice_on_the_page_is_refused_with_a_message(client, tree, clock, people, wang):
    client.force_login(people.worker)
    response = client.post(reverse("residents:restore", args=[wang.pk]))
    assert response.status_code == 409
    assert "该居民未迁出，无需撤销。" in response.content.decode()
    assert AuditRecord.objects.get(action="resident.restore").success is False


# -- the API --------------------------------------------------------------------------------


def test_api_leave_and_restore(client, tree, clock, people, wang):
    client.force_login(people.worker)
    url = f"/api/residents/{wang.pk}/leave"
    body = {"left_at": "2026-09-29", "reason": "deceased"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert (data["left_at"], data["left_reason"], data["erased"]) == (
        "2026-09-29",
        "deceased",
        False,
    )
    assert client.get("/api/residents/").json()["count"] == 0
    assert client.get("/api/residents/?status=left").json()["items"][0]["id"] == wang.pk
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] == "该居民已于2026-09-29迁出，不能重复办理。"
    response = client.post(f"/api/residents/{wang.pk}/restore")
    assert response.status_code == 200 and response.json()["left_at"] is None
    bad = client.post(
        url, {"left_at": "2026-09-29", "reason": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422
    client.force_login(people.resident)
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert _row(wang)[2] is None


# -- the retention period --------------------------------------------------------------------


def _erase_now(clock, day: dt.date) -> int:
    clock.set(day)
    return retention.residents_erase_expired()


def test_nothing_is_erased_before_the_retention_period_ends(tree, clock, wang, worker):
    _leave(worker, wang)
    assert _erase_now(clock, DAY + dt.timedelta(days=1094)) == 0
    assert _row(wang)[0] == "王建国"
    assert decrypt(Resident.objects.get(pk=wang.pk).id_number_enc) == WANG_ID


def test_after_the_retention_period_the_identity_is_erased(tree, clock, wang, worker, people):
    # given 王建国 left on DAY, with a linked account and two tags
    Resident.objects.filter(pk=wang.pk).update(user=people.resident)
    _leave(worker, wang)
    # when the tick runs on the first day after three years
    assert _erase_now(clock, DAY + dt.timedelta(days=1095)) == 1
    # then his identity is gone and the row kept
    r = Resident.objects.get(pk=wang.pk)
    assert r.name == ERASED_NAME
    assert decrypt(r.id_number_enc) == ""
    assert r.id_number_index == f"erased:{r.pk}"
    assert (r.id_number_tail, r.id_region_code) == ("", "")
    assert (r.phone_enc, r.phone_index, r.phone_head, r.phone_tail) == (None, "", "", "")
    assert r.birth_date == dt.date(1956, 1, 1)
    assert (r.gender, r.relation, r.household_id) == ("M", "head", wang.household_id)
    assert sorted(r.tag_rows.values_list("tag", flat=True)) == ["lives_alone", "veteran"]
    assert r.user_id is None and r.left_note == "" and r.erased_at == clock.now
    assert not Resident.objects.filter(id_number_index=blind_index(WANG_ID, purpose="id_number"))
    assert not Resident.objects.filter(phone_index=blind_index("13912345678", purpose="phone"))
    # and the audit record says so without any personal data
    audit = AuditRecord.objects.get(action="resident.erase")
    assert audit.changes == {
        "left_at": "2026-09-29", "retention_days": 1095, "cleared": {}, "account": "closed",
    }  # fmt: skip
    assert audit.object_repr == ERASED_NAME and audit.username == "系统:shequ tick"
    text = f"{audit.changes} {audit.message} {audit.object_repr}"
    for personal in ("王建国", WANG_ID, "13912345678", "5678", "1956-07-14"):
        assert personal not in text
    # the account is closed and nameless
    account = User.objects.get(pk=people.resident.pk)
    assert (account.is_active, account.username, account.full_name) == (
        False,
        f"erased-{account.pk}",
        "",
    )
    assert not account.has_usable_password()
    assert not Grant.objects.filter(user=account).exists()
    # a second run erases nothing more; restoring is refused
    assert retention.residents_erase_expired() == 0
    with pytest.raises(Conflict, match="按保存期限删除，不能撤销迁出；如其迁回，请重新登记。"):
        retention.resident_restore(actor=worker, resident=wang)
    with pytest.raises(Conflict, match="按保存期限删除"):
        services.resident_unmask(actor=worker, resident=wang)


def test_a_restored_resident_is_not_erased(tree, clock, wang, worker):
    _leave(worker, wang)
    clock.set(DAY + dt.timedelta(days=400))
    retention.resident_restore(actor=worker, resident=wang)
    assert _erase_now(clock, DAY + dt.timedelta(days=5000)) == 0
    assert _row(wang)[0] == "王建国"


def test_the_retention_period_is_configurable(tree, clock, wang, worker, settings):
    settings.SHEQU_RESIDENT_RETENTION_DAYS = 30
    _leave(worker, wang)
    assert AuditRecord.objects.get(action="resident.leave").changes["erase_on"] == "2026-10-29"
    assert _erase_now(clock, DAY + dt.timedelta(days=29)) == 0
    assert _erase_now(clock, DAY + dt.timedelta(days=30)) == 1


def test_erased_residents_of_one_community_do_not_collide(tree, clock, wang, worker):
    li = resident(tree.unit2, name="李娜", seq=22)
    _leave(worker, wang)
    _leave(worker, li)
    assert _erase_now(clock, DAY + dt.timedelta(days=1095)) == 2
    assert sorted(Resident.objects.values_list("id_number_index", flat=True)) == sorted(
        [f"erased:{wang.pk}", f"erased:{li.pk}"]
    )
    # and the same person may be registered again
    again = services.resident_register(
        actor=worker, unit=tree.unit, room="101", name="王建国", id_number=WANG_ID,
        relation=Relation.HEAD,
    )  # fmt: skip
    assert again.pk != wang.pk


def test_a_staff_account_is_only_unlinked(tree, clock, wang, worker):
    staff = user_with(Role.COMMUNITY_WORKER, tree.other_community, "liwei")
    grant(staff, Role.RESIDENT, tree.community)
    Resident.objects.filter(pk=wang.pk).update(user=staff)
    _leave(worker, wang)
    _erase_now(clock, DAY + dt.timedelta(days=1095))
    staff.refresh_from_db()
    assert (staff.is_active, staff.username) == (True, "liwei")
    assert list(Grant.objects.filter(user=staff).values_list("role", flat=True)) == [
        Role.COMMUNITY_WORKER
    ]
    assert AuditRecord.objects.get(action="resident.erase").changes["account"] == "unlinked"


def test_erasure_hooks_get_the_numbers_and_run_in_the_same_transaction(tree, clock, wang, worker):
    seen = []

    def hook(subject):
        seen.append(subject)
        return {"rows": 2}

    def broken(subject):
        raise RuntimeError("boom")

    li = resident(tree.unit2, name="李娜", seq=22)
    _leave(worker, wang)
    with registry.restored():
        registry.register_erasure_hook("test.rows", hook)
        clock.set(DAY + dt.timedelta(days=1095))
        assert retention.residents_erase_expired() == 1
        subject = seen[0]
        assert (subject.resident_id, subject.community_id, subject.district_id) == (
            wang.pk, tree.community.pk, tree.district.pk,
        )  # fmt: skip
        assert subject.id_number_index == blind_index(WANG_ID, purpose="id_number")
        assert (subject.name, subject.id_number, subject.erased_name) == (
            "王建国", WANG_ID, ERASED_NAME,
        )  # fmt: skip
        assert subject.phone == subject.unlinked_phone == "13912345678"
        assert AuditRecord.objects.get(action="resident.erase").changes["cleared"] == {
            "test.rows": {"rows": 2}
        }
        # a hook that fails rolls its erasure back and the tick reports it
        Resident.objects.filter(pk=li.pk).update(left_at=DAY, left_reason="moved_out")
        registry.register_erasure_hook("test.broken", broken)
        with pytest.raises(RuntimeError, match="1 位失败"):
            retention.residents_erase_expired()
    assert _row(li)[0] == "李娜"
    assert Resident.objects.get(pk=li.pk).erased_at is None


def test_numbers_still_registered_to_someone_here_are_not_matched(tree, clock, wang, worker):
    # the same person registered in another community of the district, with the same phone
    resident(tree.other_unit, name="王建国", number=WANG_ID, phone="13912345678")
    _leave(worker, wang)
    seen = []
    with registry.restored():
        registry.register_erasure_hook("test.seen", lambda s: seen.append(s) or {})
        _erase_now(clock, DAY + dt.timedelta(days=1095))
    assert (seen[0].id_number_index, seen[0].unlinked_phone) == (None, "")
    assert (seen[0].id_number, seen[0].phone) == (WANG_ID, "13912345678")


def test_the_tick_command_runs_the_erasure(tree, clock, wang, worker):
    _leave(worker, wang)
    clock.set(DAY + dt.timedelta(days=1095))
    call_command("tick", "--only", "residents_erase_expired")
    assert _row(wang)[0] == ERASED_NAME


def test_rekey_skips_erased_residents(tree, clock, wang, worker):
    li = resident(tree.unit2, name="李娜", seq=22)
    _leave(worker, wang)
    _erase_now(clock, DAY + dt.timedelta(days=1095))
    result = residents_rekey(actor=actor_for(User.objects.get(username="worker")))
    assert result.checked == 1
    assert decrypt(Resident.objects.get(pk=li.pk).id_number_enc) == id_number(22)


def test_an_erased_resident_shows_as_such(client, tree, clock, people, wang, worker):
    _leave(worker, wang)
    _erase_now(clock, DAY + dt.timedelta(days=1095))
    client.force_login(people.worker)
    page = client.get(reverse("residents:detail", args=[wang.pk])).content.decode()
    assert ERASED_NAME in page and "王建国" not in page
    assert "其个人信息已于 2029-09-28 删除" in page
    assert 'id="restore-button"' not in page and 'id="unmask-button"' not in page
    listing = client.get(reverse("residents:list"), {"status": "left"}).content.decode()
    assert ERASED_NAME in listing and "已删除" in listing
