"""Chinese working days: the seeded 2026 plan, an unknown year, imports and edits."""

from datetime import date

import pytest

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, CalendarYear, Holiday
from shequ.core.models.calendar import HolidayKind
from shequ.core.services.calendar import (
    calendar_year_import,
    holiday_delete,
    holiday_set,
    parse_calendar_text,
)
from shequ.core.tests.factories import actor_for
from shequ.core.workdays import (
    WorkdayCount,
    WorkdayResult,
    add_workdays,
    is_workday,
    workdays_between,
)

D = date
# The State Council plan for 2027 (as an admin would paste it), used wherever a
# test needs 2027 to become known.
PLAN_2027 = {
    "off": {
        D(2027, 1, 1): "元旦",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 4): "国庆节",
        D(2027, 10, 5): "国庆节",
        D(2027, 10, 6): "国庆节",
        D(2027, 10, 7): "国庆节",
    },
    "on": {D(2027, 9, 26): "国庆节", D(2027, 10, 9): "国庆节"},
}


@pytest.fixture
def unknown_2027(db):
    """Whatever the installed package knows, 2027 is not in the table."""
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()


def test_seed_holds_2026_national_day_and_makeup_days(db):
    # given: the table as migration 0003 seeded it from chinese-calendar
    # then: 2026 is known, 10-01..10-07 are off, and the package's make-up days are on
    assert CalendarYear.objects.filter(year=2026).exists()
    off = list(
        Holiday.objects.filter(date__range=(D(2026, 10, 1), D(2026, 10, 7)))
        .order_by()
        .values_list("kind", "name")
        .distinct()
    )
    assert off == [("off", "国庆节")]
    on = list(Holiday.objects.filter(date__year=2026, kind="on").values_list("date", flat=True))
    assert on == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]


def test_add_one_workday_before_national_day_lands_after_it(db):
    # when: one working day after Wednesday 2026-09-30
    # then: the holiday 10-01..10-07 is skipped: Thursday 10-08
    assert add_workdays(D(2026, 9, 30), 1) == WorkdayResult(D(2026, 10, 8), False)


def test_add_five_workdays_counts_the_makeup_saturday(db):
    # 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat make-up day (3), 10-12 Mon (4), 10-13 Tue (5)
    assert add_workdays(D(2026, 9, 30), 5) == WorkdayResult(D(2026, 10, 13), False)
    assert add_workdays(D(2026, 9, 30), 3) == WorkdayResult(D(2026, 10, 10), False)


def test_add_zero_workdays_is_the_first_workday_on_or_after_start(db):
    assert add_workdays(D(2026, 9, 30), 0) == WorkdayResult(D(2026, 9, 30), False)
    assert add_workdays(D(2026, 10, 3), 0) == WorkdayResult(D(2026, 10, 8), False)
    assert add_workdays(D(2026, 10, 10), 0) == WorkdayResult(D(2026, 10, 10), False)


def test_add_workdays_from_a_sunday_make_up_day(db):
    # 2026-09-20 is a Sunday worked for 国庆: the next working day is Monday
    assert add_workdays(D(2026, 9, 19), 1) == WorkdayResult(D(2026, 9, 20), False)
    assert add_workdays(D(2026, 9, 20), 1) == WorkdayResult(D(2026, 9, 21), False)


def test_negative_n_is_refused(db):
    with pytest.raises(ValueError):
        add_workdays(D(2026, 9, 30), -1)


def test_workdays_between_across_national_day(db):
    # (09-30, 10-12]: 10-08, 10-09, 10-10 (make-up Saturday), 10-12
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == WorkdayCount(4, False)
    # the same range the other way round is negative
    assert workdays_between(D(2026, 10, 12), D(2026, 9, 30)) == WorkdayCount(-4, False)
    # September 2026: 22 weekdays, minus Friday 09-25 (中秋节), plus Sunday 09-20 (make-up)
    assert workdays_between(D(2026, 8, 31), D(2026, 9, 30)) == WorkdayCount(22, False)
    assert workdays_between(D(2026, 10, 1), D(2026, 10, 1)) == WorkdayCount(0, False)


def test_workdays_between_is_the_inverse_of_add(db):
    for n in (1, 2, 7, 30, 200):
        result = add_workdays(D(2026, 1, 15), n)
        assert workdays_between(D(2026, 1, 15), result.date).days == n


def test_is_workday(db):
    assert tuple(is_workday(D(2026, 10, 1))) == (False, False)  # 国庆
    assert tuple(is_workday(D(2026, 10, 10))) == (True, False)  # make-up Saturday
    assert tuple(is_workday(D(2026, 10, 17))) == (False, False)  # ordinary Saturday
    assert tuple(is_workday(D(2026, 10, 16))) == (True, False)  # ordinary Friday


def test_unknown_year_counts_weekends_only_and_is_uncertain(unknown_2027):
    # given: 2027 has no plan yet. 2027-10-01 is a Friday.
    assert is_workday(D(2027, 10, 1)) == (True, True)
    # weekends only: Fri 10-01 -> Mon 10-04 -> ... 5 days from Thu 09-30 is Thu 10-07
    assert add_workdays(D(2027, 9, 30), 1) == WorkdayResult(D(2027, 10, 1), True)
    assert add_workdays(D(2027, 9, 30), 5) == WorkdayResult(D(2027, 10, 7), True)
    assert workdays_between(D(2027, 9, 30), D(2027, 10, 11)) == WorkdayCount(7, True)


def test_a_deadline_running_into_an_unknown_year_is_uncertain(unknown_2027):
    # from 2026-12-28 (Mon): 12-29, 12-30, 12-31 are 2026 (certain); the 4th is in 2027
    assert add_workdays(D(2026, 12, 28), 3) == WorkdayResult(D(2026, 12, 31), False)
    assert add_workdays(D(2026, 12, 28), 4) == WorkdayResult(D(2027, 1, 1), True)


def test_importing_2027_makes_it_certain_and_respected(unknown_2027, people):
    # given: the district admin imports the 2027 plan
    actor = actor_for(people.district_admin)
    year = calendar_year_import(
        actor=actor,
        year=2027,
        off_dates=PLAN_2027["off"],
        on_dates=PLAN_2027["on"],
        source="国办发明电〔2026〕X号",
    )
    # then: 2027 is known and its holidays count
    assert year.year == 2027 and year.source == "国办发明电〔2026〕X号"
    assert is_workday(D(2027, 10, 1)) == (False, False)
    assert is_workday(D(2027, 10, 9)) == (True, False)  # make-up Saturday
    # Thu 09-30 +1: 10-01 off, 10-02/03 weekend, 10-04..07 off -> Fri 10-08
    assert add_workdays(D(2027, 9, 30), 1) == WorkdayResult(D(2027, 10, 8), False)
    # 10-08 (1), 10-09 Sat make-up (2), 10-11 Mon (3)
    assert add_workdays(D(2027, 9, 30), 3) == WorkdayResult(D(2027, 10, 11), False)
    record = AuditRecord.objects.get(action="calendar.import")
    assert record.changes == {
        "year": 2027,
        "off_days": 6,
        "on_days": 2,
        "replaced": 0,
        "source": "国办发明电〔2026〕X号",
    }


def test_import_replaces_the_year_wholesale(people):
    # given: 2026 as seeded (it has 10-01..10-07 off)
    actor = actor_for(people.district_admin)
    # when: 2026 is re-imported with New Year's Day only
    calendar_year_import(
        actor=actor, year=2026, off_dates=[D(2026, 1, 1)], on_dates=[], source="更正"
    )
    # then: only that day remains in 2026; National Day is an ordinary Thursday
    assert list(Holiday.objects.filter(date__year=2026).values_list("date", "kind")) == [
        (D(2026, 1, 1), "off")
    ]
    assert is_workday(D(2026, 10, 1)) == (True, False)
    assert CalendarYear.objects.get(year=2026).source == "更正"


@pytest.mark.parametrize(
    ("off", "on", "message"),
    [
        ([D(2028, 1, 1)], [], "2028-01-01 不属于 2027 年"),
        ([D(2027, 1, 1)], [D(2027, 10, 8)], "2027-10-08（周五） 本来就是工作日"),
        ([D(2027, 10, 9)], [D(2027, 10, 9)], "同时被列为放假和调休上班"),
        ([], [D(2027, 10, 9)], "没有任何放假日期"),
    ],
)
def test_bad_import_writes_nothing(unknown_2027, people, off, on, message):
    # given: an import with one bad date
    actor = actor_for(people.district_admin)
    before = Holiday.objects.count()
    # when / then: refused with a Chinese message, nothing written
    with pytest.raises(ValidationError) as error:
        calendar_year_import(actor=actor, year=2027, off_dates=off, on_dates=on, source="通知")
    assert message in error.value.message
    assert Holiday.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditRecord.objects.filter(action="calendar.import").exists()


def test_import_needs_calendar_manage(unknown_2027, people):
    with pytest.raises(PermissionDenied):
        calendar_year_import(
            actor=actor_for(people.worker),
            year=2027,
            off_dates=PLAN_2027["off"],
            on_dates=[],
            source="通知",
        )
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_admin_edit_changes_results(people):
    # given: Friday 2026-10-16 is an ordinary working day
    actor = actor_for(people.district_admin)
    assert add_workdays(D(2026, 10, 15), 1) == WorkdayResult(D(2026, 10, 16), False)
    # when: the admin marks it off
    holiday = holiday_set(actor=actor, day=D(2026, 10, 16), kind=HolidayKind.OFF, name="临时")
    # then: the next call already sees it
    assert add_workdays(D(2026, 10, 15), 1) == WorkdayResult(D(2026, 10, 19), False)
    record = AuditRecord.objects.get(action="holiday.set")
    assert record.changes == {"date": "2026-10-16", "kind": [None, "off"], "name": [None, "临时"]}
    # when: the admin deletes it again
    holiday_delete(actor=actor, holiday_id=holiday.pk)
    # then: back to normal, and the deletion is audited
    assert add_workdays(D(2026, 10, 15), 1) == WorkdayResult(D(2026, 10, 16), False)
    assert (
        AuditRecord.objects.filter(action="holiday.delete", object_id=str(holiday.pk)).count() == 1
    )


def test_holiday_set_changes_an_existing_day(people):
    actor = actor_for(people.district_admin)
    # 2026-10-10 is a make-up Saturday; the admin turns it into a day off
    holiday_set(actor=actor, day=D(2026, 10, 10), kind=HolidayKind.OFF, name="国庆节")
    assert is_workday(D(2026, 10, 10)) == (False, False)
    assert Holiday.objects.filter(date=D(2026, 10, 10)).count() == 1


def test_holiday_set_refuses_a_weekday_make_up_day(people):
    with pytest.raises(ValidationError) as error:
        holiday_set(
            actor=actor_for(people.district_admin),
            day=D(2026, 10, 16),
            kind=HolidayKind.ON,
            name="",
        )
    assert error.value.message == "2026-10-16（周五） 本来就是工作日，不能设为调休上班日。"
    assert not Holiday.objects.filter(date=D(2026, 10, 16)).exists()


def test_holiday_set_needs_calendar_manage(people):
    for user in (people.worker, people.system_admin, people.street_officer):
        with pytest.raises(PermissionDenied):
            holiday_set(actor=actor_for(user), day=D(2026, 10, 16), kind="off", name="")
    assert not Holiday.objects.filter(date=D(2026, 10, 16)).exists()


def test_parse_calendar_text():
    off, on = parse_calendar_text(
        "# 2027 年安排\n2027-01-01 元旦\n2027-10-01..2027-10-03 off 国庆节\n\n"
        "2027-10-09 on 国庆节\n2027-09-26 上班\n"
    )
    assert off == {
        D(2027, 1, 1): "元旦",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }
    assert on == {D(2027, 10, 9): "国庆节", D(2027, 9, 26): ""}


def test_parse_calendar_text_names_every_bad_line():
    with pytest.raises(ValidationError) as error:
        parse_calendar_text("2027-01-01\n2027-13-01 off\nabc\n")
    assert error.value.message.startswith("第 2 行“2027-13-01 off”不是有效日期")
    assert error.value.message.endswith("（共 2 处问题）")
    assert len(error.value.details) == 2


def test_one_query_for_holidays_per_call(db, django_assert_num_queries):
    # holidays of the range + the known years: two queries whatever n is
    with django_assert_num_queries(2):
        add_workdays(D(2026, 1, 1), 200)
    with django_assert_num_queries(2):
        workdays_between(D(2020, 1, 1), D(2026, 12, 31))
