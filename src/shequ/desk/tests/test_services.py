"""Catalog, adoption, windows and qualifications: the services and can_accept."""

import datetime as dt

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.tests.factories import actor_for
from shequ.desk.catalog import selectors, services
from shequ.desk.models import (
    Category,
    CommunityItem,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowDuty,
)
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify, spec


def _counts() -> tuple[int, ...]:
    return (
        ServiceItem.objects.count(),
        ServiceItemVersion.objects.count(),
        CommunityItem.objects.count(),
        Window.objects.count(),
        WindowDuty.objects.count(),
        Qualification.objects.count(),
        AuditRecord.objects.filter(success=True).count(),
    )


def test_item_create_writes_version_one_and_audits(people, tree):
    # when
    item = services.item_create(
        actor=actor_for(people.district_admin), district=tree.district, code="YL-001", spec=spec()
    )

    # then
    item.refresh_from_db()
    assert (item.code, item.name, item.category) == ("YL-001", "高龄津贴申领", Category.ELDERLY)
    assert item.current_version.number == 1
    assert item.current_version.created_by == people.district_admin
    assert item.current_version.materials[1]["name"] == "户口簿"
    record = AuditRecord.objects.get(action="service_item.create")
    assert record.changes["materials"] == ["居民身份证", "户口簿", "近期一寸免冠照片"]


def test_item_create_refuses_duplicate_code(people, tree):
    make_item(tree.district, code="YL-001")
    with pytest.raises(Conflict, match="事项编码“YL-001”已在清单中。"):
        services.item_create(
            actor=actor_for(people.district_admin),
            district=tree.district,
            code="YL-001",
            spec=spec(),
        )
    assert ServiceItem.objects.count() == 1


@pytest.mark.parametrize("who", ["street_officer", "secretary", "worker", "inspector", "resident"])
def test_only_the_district_admin_keeps_the_catalog(people, tree, who):
    # given
    item = make_item(tree.district)
    before = _counts()

    # when / then
    with pytest.raises(PermissionDenied):
        services.item_create(
            actor=actor_for(getattr(people, who)), district=tree.district, code="X-1", spec=spec()
        )
    with pytest.raises(PermissionDenied):
        services.item_revise(actor=actor_for(getattr(people, who)), item=item, spec=spec(name="新"))
    with pytest.raises(PermissionDenied):
        services.item_retire(actor=actor_for(getattr(people, who)), item=item)
    assert _counts() == before


def test_revise_adds_a_version_and_keeps_the_old_one_intact(people, tree):
    # given
    item = make_item(tree.district)
    v1 = item.current_version
    v1_materials = list(v1.materials)

    # when
    v2 = services.item_revise(
        actor=actor_for(people.district_admin),
        item=item,
        spec=spec(promised_days=3, materials=v1_materials[:2]),
    )

    # then
    item.refresh_from_db()
    assert item.current_version == v2
    assert v2.number == 2
    v1.refresh_from_db()
    assert (v1.number, v1.promised_days, v1.materials) == (1, 5, v1_materials)
    assert (v2.promised_days, len(v2.materials)) == (3, 2)
    record = AuditRecord.objects.get(action="service_item.revise")
    assert record.changes["promised_days"] == [5, 3]
    assert record.changes["version"] == 2


def test_revise_with_nothing_changed_is_refused(people, tree):
    item = make_item(tree.district)
    with pytest.raises(ValidationError, match="内容与现行版本相同"):
        services.item_revise(actor=actor_for(people.district_admin), item=item, spec=spec())
    assert ServiceItemVersion.objects.count() == 1


def test_retire_drops_the_adoptions_and_blocks_revision(people, tree):
    # given
    item = make_item(tree.district)
    adopt(tree.community, item)
    admin = actor_for(people.district_admin)

    # when
    services.item_retire(actor=admin, item=item)

    # then
    assert not CommunityItem.objects.get().active
    with pytest.raises(Conflict, match="该事项已停用，不能修订。"):
        services.item_revise(actor=admin, item=item, spec=spec(name="新"))
    with pytest.raises(Conflict, match="该事项已停用，不能认领。"):
        services.community_item_adopt(
            actor=actor_for(people.secretary), community=tree.community, item=item
        )


def test_secretary_adopts_drops_and_readopts(people, tree):
    # given
    item = make_item(tree.district)
    secretary = actor_for(people.secretary)

    # when
    services.community_item_adopt(actor=secretary, community=tree.community, item=item)
    services.community_item_drop(actor=secretary, community=tree.community, item=item)
    row = services.community_item_adopt(actor=secretary, community=tree.community, item=item)

    # then
    assert (CommunityItem.objects.count(), row.active) == (1, True)
    assert selectors.adopted_item_ids(actor=secretary, community=tree.community) == {item.pk}
    with pytest.raises(Conflict, match="本社区已认领“高龄津贴申领”。"):
        services.community_item_adopt(actor=secretary, community=tree.community, item=item)
    actions = list(
        AuditRecord.objects.filter(action__startswith="community_item.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["community_item.adopt", "community_item.drop", "community_item.adopt"]


def test_secretary_cannot_adopt_for_another_community(people, tree):
    item = make_item(tree.district)
    with pytest.raises(PermissionDenied, match="该区划不在您的管辖范围内。"):
        services.community_item_adopt(
            actor=actor_for(people.secretary), community=tree.other_community, item=item
        )
    with pytest.raises(PermissionDenied):
        services.community_item_adopt(
            actor=actor_for(people.worker), community=tree.community, item=item
        )
    assert CommunityItem.objects.count() == 0


def test_window_create_and_duty(people, tree):
    # given
    secretary = actor_for(people.secretary)
    today = timezone.localdate()

    # when
    window = services.window_create(actor=secretary, community=tree.community, name=" 1号综合窗口 ")
    duty = services.window_duty_set(
        actor=secretary, window=window, date=today, worker=people.worker
    )

    # then
    assert (window.name, window.district_id) == ("1号综合窗口", tree.district.pk)
    assert (duty.worker, duty.date, duty.community) == (people.worker, today, tree.community)
    assert duty.district_id == tree.district.pk
    listed = selectors.window_list(actor=actor_for(people.worker), community=tree.community)
    assert [[d.worker for d in w.today_duties] for w in listed] == [[people.worker]]
    with pytest.raises(Conflict, match="本社区已有“1号综合窗口”。"):
        services.window_create(actor=secretary, community=tree.community, name="1号综合窗口")


def test_duty_refuses_past_dates_outsiders_and_double_booking(people, tree):
    # given
    secretary = actor_for(people.secretary)
    w1, w2 = make_window(tree.community), make_window(tree.community, "2号综合窗口")
    today = timezone.localdate()
    services.window_duty_set(actor=secretary, window=w1, date=today, worker=people.worker)

    # then
    with pytest.raises(ValidationError, match="不能为已经过去的日期排班。"):
        services.window_duty_set(
            actor=secretary, window=w1, date=today - dt.timedelta(days=1), worker=people.worker
        )
    with pytest.raises(ValidationError, match="不是站前社区的社区工作人员"):
        services.window_duty_set(actor=secretary, window=w2, date=today, worker=people.other_worker)
    with pytest.raises(Conflict, match="当日已在“1号综合窗口”值班。"):
        services.window_duty_set(actor=secretary, window=w2, date=today, worker=people.worker)
    with pytest.raises(PermissionDenied):
        services.window_duty_set(
            actor=actor_for(people.worker), window=w2, date=today, worker=people.worker
        )
    assert WindowDuty.objects.count() == 1


def test_qualification_grant_replaces_and_revoke(people, tree):
    # given
    secretary = actor_for(people.secretary)
    day = dt.date(2026, 3, 20)

    # when
    first = services.qualification_grant(
        actor=secretary,
        worker=people.worker,
        community=tree.community,
        all_categories=False,
        categories=[Category.HEALTH, Category.ELDERLY],
        granted_at=day,
        basis="2026年养老服务专项培训合格",
    )
    second = services.qualification_grant(
        actor=secretary,
        worker=people.worker,
        community=tree.community,
        all_categories=True,
        categories=[],
        granted_at=day,
        basis="2026年全科社工培训考核合格",
    )

    # then: the first is kept, revoked; the categories are stored in catalog order
    first.refresh_from_db()
    assert first.categories == [Category.ELDERLY, Category.HEALTH]
    assert first.revoked_at is not None and first.revoked_by == people.secretary
    assert second.category_labels == ["全科"]
    services.qualification_revoke(actor=secretary, qualification=second)
    with pytest.raises(Conflict, match="该资格已收回。"):
        services.qualification_revoke(actor=secretary, qualification=second)


def test_qualification_bad_input_in_chinese(people, tree):
    officer = actor_for(people.street_officer)
    kwargs = {
        "actor": officer,
        "worker": people.worker,
        "community": tree.community,
        "granted_at": dt.date(2026, 3, 20),
        "basis": "培训合格",
    }
    with pytest.raises(ValidationError, match="请选择可受理的类别，或授予全科资格。"):
        services.qualification_grant(all_categories=False, categories=[], **kwargs)
    with pytest.raises(ValidationError, match="未知的类别：宠物。"):
        services.qualification_grant(all_categories=False, categories=["宠物"], **kwargs)
    with pytest.raises(ValidationError, match="取得日期不能晚于今天。"):
        services.qualification_grant(
            all_categories=True,
            categories=[],
            **(kwargs | {"granted_at": timezone.localdate() + dt.timedelta(days=1)}),
        )
    with pytest.raises(PermissionDenied):
        services.qualification_grant(
            all_categories=True,
            categories=[],
            **(kwargs | {"actor": actor_for(people.other_street_officer)}),
        )
    assert Qualification.objects.count() == 0


def test_can_accept_generalist_versus_specific_categories(people, tree):
    # given
    elderly = make_item(tree.district, code="YL-001")
    housing = make_item(tree.district, code="ZF-001", category=Category.HOUSING, name="公租房申请")
    adopt(tree.community, elderly)
    qualify(people.worker, tree.community, categories=[Category.ELDERLY])
    qualify(people.secretary, tree.community)  # 全科

    # then
    assert selectors.can_accept(people.worker, elderly) is True
    assert selectors.can_accept(people.worker, housing) is False
    assert selectors.can_accept(people.secretary, housing) is True
    # and in a community: only adopted items, only that community's qualification
    assert selectors.can_accept(people.secretary, elderly, tree.community) is True
    assert selectors.can_accept(people.secretary, housing, tree.community) is False
    assert selectors.can_accept(people.worker, elderly, tree.other_community) is False
    assert selectors.can_accept(people.other_worker, elderly) is False


def test_can_accept_not_after_revocation_or_retirement(people, tree):
    item = make_item(tree.district)
    q = qualify(people.worker, tree.community)
    assert selectors.can_accept(people.worker, item) is True
    Qualification.objects.filter(pk=q.pk).update(revoked_at=timezone.now())
    assert selectors.can_accept(people.worker, item) is False
    qualify(people.worker, tree.community)
    ServiceItem.objects.filter(pk=item.pk).update(retired_at=timezone.now())
    item.refresh_from_db()
    assert selectors.can_accept(people.worker, item) is False


def test_desk_counts_and_summary(people, tree):
    # given: 站前 2 windows, 利民 1, 铁塔 none; one generalist, one specialist
    make_window(tree.community)
    make_window(tree.community, "2号综合窗口")
    make_window(tree.other_community)
    qualify(people.worker, tree.community)
    qualify(people.secretary, tree.community, categories=[Category.HEALTH])
    adopt(tree.community, make_item(tree.district))

    # when
    counts = {
        c.name: (c.windows, c.generalists, c.qualified, c.adopted)
        for c in selectors.desk_counts(actor=actor_for(people.district_admin))
    }
    summary = selectors.desk_summary(actor=actor_for(people.street_officer))

    # then
    assert counts == {"站前社区": (2, 1, 2, 1), "利民社区": (1, 0, 0, 0), "铁塔社区": (0, 0, 0, 0)}
    assert summary == selectors.DeskSummary(
        items=1, communities=2, generalists=1, windows_min=1, windows_max=2
    )
