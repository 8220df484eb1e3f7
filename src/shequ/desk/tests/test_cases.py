"""Case intake, the working-day clock, the workflow, visits, reviews."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.scope import Actor
from shequ.desk.cases.services import (
    TooManyAttempts,
    case_complete,
    case_deliver,
    case_intake,
    case_lookup,
    case_request_supplement,
    case_resume,
    case_start,
    case_supply,
    case_suspend,
    case_withdraw,
    rectification_follow_up,
    rectification_rectify,
    review_submit,
)
from shequ.desk.models import (
    Case,
    CaseStat,
    CaseState,
    Category,
    Notice,
    Rectification,
    RectificationState,
    Review,
    Visit,
)
from shequ.desk.tests.conftest import ALL_MATERIALS, PHONE, applicant
from shequ.desk.tests.helpers import adopt, make_item, qualify

pytestmark = pytest.mark.django_db


def intake(desk, **kw):
    args = {
        "actor": desk.worker_actor,
        "community": desk.community,
        "item": desk.item,
        "applicant": applicant(),
        "provided": ALL_MATERIALS,
        "window": desk.window,
    } | kw
    return case_intake(**args)


def test_accept_before_national_day_with_a_pause(desk, clock):
    # 2026: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) are make-up working days.
    clock.set("2026-09-30")
    case = intake(desk).case
    assert case.status == CaseState.ACCEPTED
    assert case.receipt_no.startswith(desk.community.code + "20260930")
    # 10-08 Thu 1, 10-09 Fri 2, 10-10 Sat (make-up) 3, 10-12 Mon 4, 10-13 Tue 5.
    assert case.due_date == dt.date(2026, 10, 13)
    assert case.warn70_on == dt.date(2026, 10, 12)  # ceil(3.5) = 4 working days
    assert case.warn90_on == dt.date(2026, 10, 13)  # ceil(4.5) = 5
    assert not case.due_uncertain

    clock.set("2026-10-08")
    case_start(actor=desk.worker_actor, case_id=case.pk)
    clock.set("2026-10-09")
    case_suspend(actor=desk.worker_actor, case_id=case.pk, reason="等待区民政局核对户籍")
    clock.set("2026-10-13")  # 10-10, 10-12, 10-13: three working days stood still
    case = case_resume(actor=desk.worker_actor, case_id=case.pk)
    assert case.paused_days == 3
    assert case.due_date == dt.date(2026, 10, 16)
    assert case.warn70_on == dt.date(2026, 10, 15)
    assert case.warn90_on == dt.date(2026, 10, 16)
    assert not case.overdue

    clock.set("2026-10-19")  # one working day late
    case = case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    assert case.overdue is True
    assert case.completed_on == dt.date(2026, 10, 19)
    # Frozen: editing the holiday table afterwards does not rewrite it.
    from shequ.core.models import Holiday

    Holiday.objects.create(date=dt.date(2026, 10, 19), kind="off", name="测试")
    case.refresh_from_db()
    assert case.overdue is True
    events = list(TimelineEvent.objects.filter(object_id=case.pk).values_list("action", flat=True))
    assert events == ["accept", "start", "suspend", "resume", "complete"]


def test_warning_levels(desk, clock):
    from shequ.desk.cases.deadlines import level_on

    clock.set("2026-09-30")
    case = intake(desk).case
    kw = {"due_date": case.due_date, "warn70_on": case.warn70_on, "warn90_on": case.warn90_on}
    assert level_on(today=dt.date(2026, 10, 9), **kw) == ""
    assert level_on(today=dt.date(2026, 10, 12), **kw) == "near"
    assert level_on(today=dt.date(2026, 10, 13), **kw) == "urgent"
    assert level_on(today=dt.date(2026, 10, 14), **kw) == "overdue"


def test_tolerated_missing_material_accepts_with_a_date(desk, clock):
    clock.set("2026-11-02")
    with pytest.raises(ValidationError, match="补齐日期"):
        intake(desk, provided=["居民身份证", "户口簿"])
    with pytest.raises(ValidationError, match="不能早于今天"):
        intake(desk, provided=["居民身份证", "户口簿"], supplement_by=dt.date(2026, 11, 1))
    assert not Case.objects.exists()
    result = intake(desk, provided=["居民身份证", "户口簿"], supplement_by=dt.date(2026, 11, 6))
    case = result.case
    assert result.missing == ["近期一寸免冠照片"]
    assert not case.materials_complete
    # Approval waits for the tolerated material; refusal does not.
    with pytest.raises(ValidationError, match="容缺材料尚未补齐"):
        case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    case_request_supplement(actor=desk.worker_actor, case_id=case.pk, reason="请补交照片")
    case = case_supply(actor=desk.worker_actor, case_id=case.pk, supplied=["近期一寸免冠照片"])
    assert case.materials_complete
    case = case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    assert case.status == CaseState.COMPLETED


def test_key_material_missing_issues_one_notice_and_the_return_is_accepted(desk, clock):
    clock.set("2026-11-02")
    result = intake(desk, provided=["居民身份证"])
    assert result.case is None
    notice = result.notice
    assert result.missing == ["户口簿", "近期一寸免冠照片"]
    assert not Case.objects.exists()
    assert Visit.objects.filter(notice=notice).count() == 1
    # Coming back with the 户口簿 only (the photo was not key): accepted, the
    # notice's visit joins the case, which is now a second trip.
    clock.set("2026-11-04")
    with pytest.raises(ValidationError, match="不再重复出具"):
        intake(desk, provided=["居民身份证"])
    assert Notice.objects.count() == 1
    case = intake(desk, provided=["户口簿"], supplement_by=dt.date(2026, 11, 6)).case
    assert case.visit_count == 2
    notice.refresh_from_db()
    assert notice.case == case
    assert Visit.objects.filter(case=case).count() == 2


def test_tampered_material_list_and_bad_items_write_nothing(desk, tree, clock):
    with pytest.raises(ValidationError, match="材料清单与事项不符"):
        intake(desk, provided=[*ALL_MATERIALS, "伪造的材料"])
    other = make_item(tree.district, code="YL-002", name="未认领的事项")
    with pytest.raises(ValidationError, match="未认领"):
        intake(desk, item=other)
    adopt(desk.community, other, active=True)
    other.retired_at = clock._now
    other.save()
    with pytest.raises(ValidationError, match="已停用"):
        intake(desk, item=other)
    with pytest.raises(ValidationError, match="身份证号"):
        intake(desk, applicant=applicant(id_number="210302195003150011"))
    assert not Case.objects.exists() and not Notice.objects.exists()
    assert not AuditRecord.objects.filter(action="case.accept").exists()


def test_unqualified_worker_cannot_accept(desk, tree, people, clock):
    housing = make_item(tree.district, code="ZF-001", name="公租房申请", category=Category.HOUSING)
    adopt(desk.community, housing)
    from shequ.desk.models import Qualification

    Qualification.objects.filter(worker=desk.worker).delete()
    qualify(desk.worker, desk.community, categories=[Category.ELDERLY])
    intake(desk)  # 养老服务: qualified
    with pytest.raises(PermissionDenied, match="住房保障"):
        intake(desk, item=housing)


def test_worker_of_another_community_cannot_accept_or_act(desk, people, clock):
    case = intake(desk).case
    other = Actor.for_user(people.other_worker)
    with pytest.raises(PermissionDenied):
        case_intake(
            actor=other,
            community=desk.community,
            item=desk.item,
            applicant=applicant(),
            provided=ALL_MATERIALS,
            window=desk.window,
        )
    with pytest.raises(PermissionDenied):
        case_start(actor=other, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        intake(desk, window=desk.other_window, community=desk.other_community)


def test_second_completion_is_refused_with_a_clear_message(desk, clock):
    case = intake(desk).case
    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    with pytest.raises(Conflict, match="已办结"):
        case_complete(
            actor=desk.secretary_actor, case_id=case.pk, outcome="refused", reason="材料不实"
        )


def _complete(desk, case, clock, **data):
    return case_complete(
        actor=desk.worker_actor, case_id=case.pk, **({"outcome": "approved"} | data)
    )


def test_review_rules_and_rectification(desk, clock):
    clock.set("2026-11-02")
    case = intake(desk).case
    with pytest.raises(Conflict, match="办结后"):
        review_submit(receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=5, ip="10.0.0.1")
    _complete(desk, case, clock)
    with pytest.raises(ValidationError, match="原因"):
        review_submit(receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=2, ip="10.0.0.1")
    review = review_submit(
        receipt_no=case.receipt_no,
        phone_tail=PHONE[-4:],
        rating=2,
        comment="窗口人员态度差",
        ip="10.0.0.1",
    )
    with pytest.raises(Conflict, match="已评价"):
        review_submit(receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=5, ip="10.0.0.1")
    rect = Rectification.objects.get(review=review)
    assert rect.status == RectificationState.OPEN
    assert rect.due_date == dt.date(2026, 11, 9)  # five working days
    with pytest.raises(PermissionDenied):
        rectification_rectify(
            actor=desk.worker_actor, rectification_id=rect.pk, measures="批评教育"
        )
    rectification_rectify(
        actor=desk.secretary_actor, rectification_id=rect.pk, measures="窗口人员培训并当面致歉"
    )
    rect = rectification_follow_up(
        actor=desk.worker_actor,
        rectification_id=rect.pk,
        result="申请人表示认可",
        satisfied="yes",
    )
    assert rect.status == RectificationState.CLOSED and rect.followup_satisfied is True


def test_lookup_guessing_is_limited(desk, clock):
    case = intake(desk).case
    for _ in range(5):
        with pytest.raises(Exception, match="不正确"):
            case_lookup(receipt_no=case.receipt_no, phone_tail="0000", ip="10.0.0.9")
    with pytest.raises(TooManyAttempts):
        case_lookup(receipt_no=case.receipt_no, phone_tail=PHONE[-4:], ip="10.0.0.8")
    assert AuditRecord.objects.filter(action="case.lookup", success=False).count() == 5


def test_one_trip_rate_and_satisfaction_on_a_known_set(desk, clock):
    """Six cases: four completed (one needed a second trip, one collected at
    the window), one still open, one withdrawn; three reviews."""
    from shequ.desk.stats.selectors import case_figures

    clock.set("2026-11-02")
    cases = [intake(desk, applicant=applicant(phone=f"1384000{i:04d}")).case for i in range(6)]
    a, b, c, d, e, f = cases
    _complete(desk, a, clock)
    case_request_supplement(actor=desk.worker_actor, case_id=b.pk, reason="补充说明")
    case_supply(
        actor=desk.worker_actor,
        case_id=b.pk,
        supplied=[],
        in_person=True,
        visit_reason="到窗口补交说明",
    )
    _complete(desk, b, clock)
    _complete(desk, c, clock)
    case_deliver(actor=desk.worker_actor, case_id=c.pk, method="window")
    _complete(desk, d, clock)
    case_deliver(actor=desk.worker_actor, case_id=d.pk, method="mail")
    case_withdraw(actor=desk.worker_actor, case_id=f.pk, reason="不再申请")
    for case, level in ((a, 5), (b, 4), (d, 1)):
        review_submit(
            receipt_no=case.receipt_no,
            phone_tail=case.phone_tail,
            rating=level,
            comment="" if level > 2 else "太慢",
            ip="10.0.0.2",
        )
    figures = case_figures(actor=desk.secretary_actor)
    assert figures.accepted == 6
    assert figures.completed == 4
    assert figures.one_trip == 2  # a and d; b came back, c collected at the window
    assert figures.one_trip_rate == pytest.approx(0.5)
    assert figures.rated == 3
    assert figures.ratings == {5: 1, 4: 1, 3: 0, 2: 0, 1: 1}
    assert figures.satisfaction_rate == pytest.approx(2 / 3)
    assert CaseStat.objects.count() == 1
    assert Review.objects.count() == 3


def test_moving_a_community_to_another_street_moves_its_rollup(desk, tree, people, clock):
    from shequ.core.services.regions import region_move

    intake(desk)
    assert CaseStat.objects.get().street_id == tree.street.pk
    admin = Actor.for_user(people.district_admin)
    region_move(
        actor=admin,
        region=desk.community,
        new_parent=tree.other_street,
        new_code=tree.other_street.code + "099",
    )
    assert CaseStat.objects.get().street_id == tree.other_street.pk
    # The figures of the new street now hold the case; the old street's do not.
    from shequ.desk.stats.selectors import case_figures

    assert case_figures(actor=Actor.for_user(people.other_street_officer)).accepted == 1
    assert case_figures(actor=Actor.for_user(people.street_officer)).accepted == 0
