"""`shequ demo` run by the tests themselves: a second run writes nothing, the
first is audited once, a partly loaded district is completed, the load is
deterministic, two years of cases.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max

from shequ.core.models import AuditRecord, Grant, Region, RegionLevel, RegionStat, User
from shequ.core.permissions import Role
from shequ.residents.models import Household, Resident, ResidentTag

pytestmark = pytest.mark.django_db


def run_demo(residents: int = 300) -> str:
    out = StringIO()
    call_command("demo", residents=residents, stdout=out)
    return out.getvalue()


def every_table_count() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


def test_demo_second_run_writes_nothing():
    # given
    run_demo(residents=120)
    before = every_table_count()
    last_audit = AuditRecord.objects.aggregate(m=Max("id"))["m"]
    stats_updated = RegionStat.objects.aggregate(m=Max("updated_at"))["m"]
    password = User.objects.get(username="demo-district-admin").password

    # when
    output = run_demo(residents=120)

    # then
    assert "未做任何改动" in output
    assert every_table_count() == before
    assert AuditRecord.objects.aggregate(m=Max("id"))["m"] == last_audit
    assert RegionStat.objects.aggregate(m=Max("updated_at"))["m"] == stats_updated
    assert User.objects.get(username="demo-district-admin").password == password


def test_demo_first_run_is_audited_once():
    # when
    run_demo(residents=30)

    # then
    records = AuditRecord.objects.filter(action="demo.load")
    assert records.count() == 1
    assert records.get().changes["residents"] == 30


def test_demo_completes_a_partly_loaded_district():
    # given: a full load, then one account and one community's households removed
    run_demo(residents=120)
    User.objects.filter(username="demo-inspector").delete()
    tieta = Region.objects.get(code="210302002001")
    ResidentTag.objects.filter(community=tieta).delete()
    Resident.objects.filter(community=tieta).delete()
    Household.objects.filter(community=tieta).delete()
    others = Resident.objects.count()

    # when
    run_demo(residents=120)

    # then: only the missing pieces come back
    assert Resident.objects.count() == 120
    assert Resident.objects.filter(community=tieta).count() == 120 - others
    assert Grant.objects.filter(user__username="demo-inspector", role=Role.INSPECTOR).count() == 1


def test_demo_is_deterministic():
    # given: a first load, rolled back
    def people() -> list[tuple]:
        return list(
            Resident.objects.order_by(
                "household__unit__code", "household__room", "name"
            ).values_list(
                "name",
                "id_number_index",
                "phone_index",
                "relation",
                "household__unit__code",
                "household__room",
            )
        )

    with transaction.atomic():
        run_demo(residents=90)
        first = people()
        first_names = sorted(User.objects.values_list("username", "full_name"))
        transaction.set_rollback(True)
    assert not Region.objects.filter(code="210302").exists()

    # when
    run_demo(residents=90)

    # then
    assert people() == first
    assert sorted(User.objects.values_list("username", "full_name")) == first_names


def test_demo_loads_two_years_of_cases_with_the_demo_worker_at_the_window():
    from shequ.core.scope import Actor
    from shequ.desk.cases.selectors import my_open_cases
    from shequ.desk.models import Case, CaseStat
    from shequ.desk.stats.selectors import case_figures

    run_demo(residents=600)
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    assert Case.objects.filter(district=district).count() == 3000
    worker = User.objects.get(username="demo-community-worker")
    assert Case.objects.filter(accepted_by=worker).exists()
    # The worker's own list and the rollup work on the loaded rows.
    open_states = ["accepted", "in_progress", "supplement", "suspended"]
    assert my_open_cases(actor=Actor.for_user(worker)).count() == (
        Case.objects.filter(accepted_by=worker, status__in=open_states).count()
    )
    admin = Actor.for_user(User.objects.get(username="demo-district-admin"))
    figures = case_figures(actor=admin)
    assert figures.accepted == Case.objects.filter(accepted_on__isnull=False).count()
    assert CaseStat.objects.exists()
    # Each generated case has its history: applied or accepted first, and a
    # completed one has its completion.
    from shequ.core.workflow import timeline_for

    done = Case.objects.filter(status="completed").first()
    actions = [e.action for e in timeline_for(done)]
    assert actions[0] in ("apply", "accept") and "complete" in actions
    run_demo(residents=600)
    assert Case.objects.count() == 3000  # a second run adds none


def test_demo_windows_have_someone_on_duty_today_and_the_weeks_around(client, clock):
    import datetime as dt
    import re

    from django.urls import reverse

    from shequ.demo.roster import working_days
    from shequ.desk.models import Qualification, Window, WindowDuty

    # given: the demo loaded on a working day (a Tuesday)
    clock.set("2026-09-29")
    run_demo(residents=30)

    # when: the demo worker opens the desk home
    client.force_login(User.objects.get(username="demo-community-worker"))
    html = client.get(reverse("services:home")).content.decode()

    # then: each window of 站前社区 shows who sits at it today
    today = html[html.index('id="today-windows"') : html.index('id="qualified-workers"')]
    rows = re.findall(r'<span>(\S+?)</span>\s*<span class="small">([^<]*)</span>', today)
    assert rows == [("1号综合窗口", "站前社区社工2"), ("2号综合窗口", "站前社区社工3")]
    assert "未排班" not in today
    # Every staffed window of the district has one qualified worker each working
    # day from three weeks back to two weeks ahead (the window page's fortnight).
    days = working_days(dt.date(2026, 9, 29))
    assert (days[0], days[-1]) == (dt.date(2026, 9, 8), dt.date(2026, 10, 13))
    windows = Window.objects.filter(active=True).count()
    assert windows == 30  # every community has its generated generalists
    assert WindowDuty.objects.count() == windows * len(days)
    assert all(
        Qualification.objects.filter(worker=d.worker_id, community=d.community_id).exists()
        for d in WindowDuty.objects.filter(date=dt.date(2026, 9, 29))
    )
    # Today and the days ahead went through the roster service, audited as the
    # secretary's; the weeks already worked are history, written as rows.
    ahead = WindowDuty.objects.filter(date__gte=dt.date(2026, 9, 29)).count()
    duty_records = AuditRecord.objects.filter(action="window.duty_set")
    # 9-29, 9-30, then 国庆 until 10-8, and 10-10 a make-up Saturday: 7 days to 10-13
    assert duty_records.count() == ahead == windows * 7
    assert set(duty_records.values_list("role", flat=True)) == {Role.COMMUNITY_SECRETARY}

    # when: the demo is run again a week later
    clock.set("2026-10-09")
    run_demo(residents=30)

    # then: the roster reaches two weeks past the new day, nothing else is rewritten
    assert working_days(dt.date(2026, 10, 9))[-1] == dt.date(2026, 10, 23)
    assert WindowDuty.objects.filter(date__gt=days[-1]).count() == windows * 8  # 10-14 …
    assert not Window.objects.filter(active=True).exclude(duties__date="2026-10-09").exists()
