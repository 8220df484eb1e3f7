"""工作日历 pages: who may see, who may edit, and that a refused edit changes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from shequ.core.models import AuditRecord, CalendarYear, Holiday

CAL = reverse("core:calendar")
SET = reverse("core:holiday_set")
IMPORT = reverse("core:calendar_import")


def _login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),  # anonymous -> login page
        ("resident", 403),
        ("audit_admin", 403),  # 三员分立: the audit admin reads audit records only
        ("other_worker", 200),
        ("other_street_officer", 200),
        ("inspector", 200),
        ("worker", 200),
        ("district_admin", 200),
    ],
)
def test_calendar_view_matrix(client, people, who, status):
    _login(client, getattr(people, who) if who else None)
    response = client.get(CAL, {"year": 2026})
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("core:login"))


def test_calendar_page_lists_the_year(client, people):
    client.force_login(people.worker)
    response = client.get(CAL, {"year": 2026})
    html = response.content.decode()
    assert response.context["known"].year == 2026
    dates = [h.date for h, _ in response.context["rows"]]
    assert date(2026, 10, 1) in dates and date(2026, 10, 10) in dates
    assert response.context["on_count"] == 6
    assert 'data-date="2026-10-10" data-kind="on"' in html
    assert "安排已知" in html
    # a worker may look but sees no edit forms
    assert response.context["can_manage"] is False
    assert 'id="holiday-form"' not in html and 'id="import-form"' not in html


def test_calendar_page_marks_an_unknown_year(client, people):
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(people.district_admin)
    response = client.get(CAL, {"year": 2027, "start": "2027-09-30", "n": "5"})
    html = response.content.decode()
    assert "安排未知" in html
    assert response.context["deadline"]["result"] == (date(2027, 10, 7), True)
    assert "不确定" in html
    assert 'id="import-form"' in html


def test_deadline_calculator_across_national_day(client, people):
    client.force_login(people.worker)
    response = client.get(CAL, {"year": 2026, "start": "2026-09-30", "n": "5"})
    assert response.context["deadline"]["result"] == (date(2026, 10, 13), False)
    assert "2026-10-13（周二）" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("resident", 403),
        ("other_worker", 403),
        ("other_street_officer", 403),
        ("worker", 403),  # right to see, not to edit
        ("system_admin", 403),
        ("inspector", 403),
    ],
)
def test_refused_edits_change_nothing(client, people, who, status):
    _login(client, getattr(people, who) if who else None)
    before = list(Holiday.objects.values_list("date", "kind", "name"))
    years = list(CalendarYear.objects.values_list("year", "source"))
    responses = [
        client.post(SET, {"day": "2026-10-16", "kind": "off", "name": "临时"}),
        client.post(reverse("core:holiday_delete", args=[Holiday.objects.first().pk])),
        client.post(IMPORT, {"year": "2027", "source": "通知", "dates": "2027-01-01"}),
    ]
    assert [r.status_code for r in responses] == [status] * 3
    assert list(Holiday.objects.values_list("date", "kind", "name")) == before
    assert list(CalendarYear.objects.values_list("year", "source")) == years


def test_district_admin_sets_and_deletes_a_day(client, people):
    client.force_login(people.district_admin)
    response = client.post(
        SET, {"day": "2026-10-16", "kind": "off", "name": "临时", "year": "2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{CAL}?year=2026"
    holiday = Holiday.objects.get(date=date(2026, 10, 16))
    assert (holiday.kind, holiday.name) == ("off", "临时")
    response = client.post(reverse("core:holiday_delete", args=[holiday.pk]), {"year": "2026"})
    assert response.status_code == 302
    assert not Holiday.objects.filter(date=date(2026, 10, 16)).exists()
    assert list(
        AuditRecord.objects.exclude(action__startswith="auth.")
        .order_by("id")
        .values_list("action", "success")
    ) == [
        ("holiday.set", True),
        ("holiday.delete", True),
    ]


def test_a_bad_day_shows_the_message_and_is_audited_as_refused(client, people):
    client.force_login(people.district_admin)
    response = client.post(SET, {"day": "2026-10-16", "kind": "on", "name": ""})
    assert response.status_code == 422
    assert "2026-10-16（周五） 本来就是工作日，不能设为调休上班日。" in response.content.decode()
    assert not Holiday.objects.filter(date=date(2026, 10, 16)).exists()
    record = AuditRecord.objects.exclude(action__startswith="auth.").get()
    assert (record.action, record.success) == ("holiday.set", False)


def test_deleting_a_missing_day_is_a_message_not_a_500(client, people):
    client.force_login(people.district_admin)
    response = client.post(
        reverse("core:holiday_delete", args=[999999]), {"year": "2026"}, follow=True
    )
    assert response.status_code == 200
    assert "该日期不在节假日表中，可能已被删除。" in response.content.decode()


def test_import_a_year_from_the_page(client, people):
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(people.district_admin)
    text = (
        "2027-01-01 元旦\n2027-10-01..2027-10-07 国庆节\n2027-09-26 on 国庆节\n2027-10-09 on 国庆节"
    )
    response = client.post(
        IMPORT, {"year": "2027", "source": "国办发明电〔2026〕X号", "dates": text}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕X号"
    assert Holiday.objects.filter(date__year=2027, kind="off").count() == 8
    assert Holiday.objects.filter(date__year=2027, kind="on").count() == 2
    page = client.get(CAL, {"year": 2027}).content.decode()
    assert "安排已知" in page


def test_a_bad_import_writes_nothing_and_names_the_line(client, people):
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(people.district_admin)
    response = client.post(
        IMPORT, {"year": "2027", "source": "通知", "dates": "2027-01-01\n2028-01-01\n2027-10-08 on"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "2028-01-01 不属于 2027 年。" in html
    assert "2027-10-08（周五） 本来就是工作日" in html
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert AuditRecord.objects.exclude(action__startswith="auth.").get().success is False


def test_calendar_page_query_count_is_flat(client, people, django_assert_num_queries):
    client.force_login(people.district_admin)
    client.get(CAL, {"year": 2026})  # warm the session
    # session, user, grants; the bell's unread count; holidays, the year's status,
    # the known years
    with django_assert_num_queries(7):
        client.get(CAL, {"year": 2026})
    # when: the year holds many more rows, the count of queries stays the same
    for day in range(1, 29):
        Holiday.objects.update_or_create(date=date(2026, 2, day), defaults={"kind": "off"})
    with django_assert_num_queries(7):
        response = client.get(CAL, {"year": 2026})
    assert response.context["off_count"] > 40
