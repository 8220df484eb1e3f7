"""The data migration that moves pairing's 在职党员双报到 actions into 双报到
service records: the pairing figures count the same before and after, every
such action gets exactly one record (running it again adds none), the
records read in the party module's lists and letters, and going back
removes only what it made."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from shequ.core.scope import Actor
from shequ.party.models import ServiceLog
from shequ.party.selectors import reporting as selectors
from shequ.party.tests.test_reporting import (
    CLOCK_START,
    actor,
    log_service,
    reported,
)
from shequ.whistles.models import PairingAction, PairingAgreement
from shequ.whistles.pairing.selectors import AgreementFilters, agreement_list, pairing_figures
from shequ.whistles.pairing.services import action_log, pairing_flags_refresh
from shequ.whistles.tests.helpers import make_agreement

MIGRATION = importlib.import_module("shequ.party.migrations.0002_dual_registration_from_pairing")

__all__ = ["CLOCK_START"]  # the clock of the shared builders

pytestmark = pytest.mark.django_db


def _old_action(agreement: PairingAgreement, *, day: dt.date, name: str, hours: str, who=None):
    """A 双报到 action as the pairing module logged them before the move."""
    return PairingAction.objects.create(
        district_id=agreement.district_id, community_id=agreement.community_id,
        agreement=agreement, kind="dual_registration", what="在职党员到社区报到",
        date=day, hours=Decimal(hours), people=1, member_name=name,
        logged_at=timezone.now(), logged_by=who,
    )  # fmt: skip


def _pairing_picture(people) -> tuple:
    """What the pairing selectors compute: per-community figures, and each
    agreement's action count and paper-only flag."""
    street = Actor.for_user(people.street_officer)
    figures = [
        (f.region, f.agreements, f.active, f.paper_only, f.actions, f.hours, f.people)
        for f in pairing_figures(actor=street, level="community")
    ]
    rows = [
        (a.pk, a.action_count, a.paper_only_since)
        for a in agreement_list(actor=street, filters=AgreementFilters())
    ]
    return figures, rows


def test_counts_before_equal_counts_after_and_running_again_adds_nothing(tree, people, clock):
    # given: the school's and the hospital's agreements with 站前社区, three
    # old 双报到 actions and one volunteer action; the hospital's is paper-only
    w, _unit, wang = reported(tree, people, clock)
    school = make_agreement(people, tree.community, unit=w.school)
    hospital = make_agreement(
        people, tree.other_community, unit=w.hospital, by=people.street_officer
    )
    first = _old_action(
        school, day=dt.date(2026, 1, 8), name="王建军", hours="2", who=people.worker
    )
    _old_action(school, day=dt.date(2026, 2, 3), name="李红梅", hours="0")
    _old_action(hospital, day=dt.date(2025, 12, 1), name="周敏", hours="1.5")
    action_log(actor=Actor.for_user(people.worker), agreement_id=school.pk, kind="volunteer",
               what="开放操场", date=dt.date(2026, 3, 1), hours="3", people=5)  # fmt: skip
    pairing_flags_refresh(on=dt.date(2026, 4, 2))
    # and: a service the party module logged since (it has its pairing action already)
    log_service(people, wang)
    before = _pairing_picture(people)
    assert [row[3] for row in before[0]] == [0, 1]  # paper-only: the hospital's

    # when: the migration runs
    made = MIGRATION.forward(apps, None)

    # then: the pairing picture is unchanged, every 双报到 action has one record
    assert made == 3
    assert _pairing_picture(people) == before
    dual = PairingAction.objects.filter(kind="dual_registration")
    assert dual.count() == 4 == ServiceLog.objects.count()
    assert set(ServiceLog.objects.values_list("pairing_action_id", flat=True)) == set(
        dual.values_list("pk", flat=True)
    )
    moved = ServiceLog.objects.get(pairing_action=first)
    assert (
        moved.district, moved.community, moved.unit, moved.member_name, moved.day, moved.hours,
        moved.what, moved.report_in, moved.logged_at, moved.logged_by,
    ) == (
        tree.district, tree.community, w.school, "王建军", dt.date(2026, 1, 8), Decimal("2.0"),
        "在职党员到社区报到", None, first.logged_at, people.worker,
    )  # fmt: skip

    # when: it runs again
    assert MIGRATION.forward(apps, None) == 0
    # then: nothing more
    assert ServiceLog.objects.count() == 4
    assert _pairing_picture(people) == before


def test_moved_records_count_in_the_party_lists_and_summary(tree, people, clock):
    w, _unit, wang = reported(tree, people, clock)
    school = make_agreement(people, tree.community, unit=w.school)
    _old_action(school, day=dt.date(2026, 1, 8), name="王建军", hours="2")
    _old_action(school, day=dt.date(2026, 2, 3), name="李红梅", hours="1")
    MIGRATION.forward(apps, None)
    log_service(people, wang, hours="1.5")
    worker = actor(people.worker)
    shown = [selectors.service_member_name(s) for s in selectors.service_logs(actor=worker)]
    assert shown == ["王建军", "李红梅", "王建军"]
    row = selectors.quarter_summary(actor=worker, quarter="2026Q1")[0]
    # 王建军 is one member, whether named by his report-in or by the moved record
    assert (row.unit, row.members, row.services, row.hours) == (
        "城东第一中学", 2, 3, Decimal("4.5"),
    )  # fmt: skip
    figures = selectors.report_in_figures(actor=actor(people.inspector))
    assert (figures["services"], figures["hours"]) == (3, Decimal("4.5"))


def test_going_back_removes_only_the_moved_records(tree, people, clock):
    w, _unit, wang = reported(tree, people, clock)
    school = make_agreement(people, tree.community, unit=w.school)
    _old_action(school, day=dt.date(2026, 1, 8), name="王建军", hours="2")
    MIGRATION.forward(apps, None)
    kept = log_service(people, wang)
    actions = PairingAction.objects.count()
    assert MIGRATION.backward(apps, None) == 1
    assert list(ServiceLog.objects.all()) == [kept]
    assert PairingAction.objects.count() == actions == 2  # nothing lost in pairing
    # and forward again restores it
    assert MIGRATION.forward(apps, None) == 1


def test_the_migration_names_its_dependencies():
    assert MIGRATION.Migration.dependencies == [
        ("party", "0001_initial"),
        ("whistles", "0005_whistle_appeals_move"),
    ]
