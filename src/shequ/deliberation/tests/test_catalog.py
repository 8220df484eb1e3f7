"""The catalog: district items with versions, local items, adoption, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.core.tick import run_tick
from shequ.deliberation import services as s
from shequ.deliberation.models import ConsultationAdoption, ConsultationItem, OutcomeTask
from shequ.deliberation.tests.helpers import catalog_item, owners

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

ITEM = {
    "category": "停车管理",
    "name": "车位划分",
    "forms": ["council", "online"],
    "participants": ["resident_reps", "property"],
    "vote_rule": "owners",
    "level": "compound",
}


def test_a_revision_is_a_new_version_and_topics_keep_theirs(tree, people):
    admin = Actor.for_user(people.district_admin)
    item = s.consultation_item_create(actor=admin, district=tree.district, code="TC-01", **ITEM)
    first = item.current_version
    item = s.consultation_item_revise(
        actor=admin, item_id=item.pk, **(ITEM | {"name": "车位划分与收费"})
    )
    assert (item.name, item.current_version.number, first.name) == ("车位划分与收费", 2, "车位划分")


@pytest.mark.parametrize("who", ["worker", "street_officer", "inspector", "resident"])
def test_only_the_district_keeps_the_template(tree, people, who):
    with pytest.raises(PermissionDenied):
        s.consultation_item_create(actor=Actor.for_user(getattr(people, who)), district=tree.district,
                                   code="TC-01", **ITEM)  # fmt: skip
    assert not ConsultationItem.objects.exists()


def test_a_community_adopts_the_template_and_adds_its_own_item(tree, people):
    admin = Actor.for_user(people.district_admin)
    s.consultation_item_create(actor=admin, district=tree.district, code="TC-01", **ITEM)
    s.consultation_item_create(
        actor=admin, district=tree.district, code="HJ-01", **(ITEM | {"name": "加装电梯"})
    )
    worker = Actor.for_user(people.worker)
    assert s.catalog_adopt(actor=worker, community=tree.community) == 2
    assert s.catalog_adopt(actor=worker, community=tree.community) == 0
    local = s.consultation_item_create(actor=worker, district=tree.district, community=tree.community,
                                       code="ZQ-01", **(ITEM | {"category": "油烟噪音", "name": "早市噪音"}))  # fmt: skip
    assert (local.district_id, local.is_local) == (tree.district.pk, True)
    with pytest.raises(PermissionDenied):
        s.catalog_adopt(actor=Actor.for_user(people.other_worker), community=tree.community)
    assert ConsultationAdoption.objects.filter(community=tree.community).count() == 2


def test_bad_catalog_input_is_refused_in_chinese(tree, people):
    admin = Actor.for_user(people.district_admin)
    for bad, message in [({"forms": ["tea_party"]}, "协商形式"), ({"vote_rule": "loudest"}, "表决规则"),
                         ({"level": "planet"}, "事项层级"), ({"name": ""}, "协商事项")]:  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            s.consultation_item_create(
                actor=admin, district=tree.district, code="TC-01", **(ITEM | bad)
            )
    assert not ConsultationItem.objects.exists()
    assert not AuditRecord.objects.filter(action="consultation_item.create").exists()


def test_tick_flags_overdue_tasks_once(tree, people, clock, settings):
    """A task past its due date is flagged by ``shequ tick`` and audited, once."""
    from django.utils import timezone

    from shequ.deliberation.models import AgendaItem, Outcome

    settings.DELIBERATION_COSIGN_RESIDENTS = 2
    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    folks = owners(tree.unit, ["80.00", "90.00"])
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="停车",
                            description="划线。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="online", title="线上协商",
                                 starts_at=timezone.now() + dt.timedelta(days=3),
                                 ends_at=timezone.now() + dt.timedelta(days=5), topic_ids=[topic.pk])  # fmt: skip
    s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    agenda = AgendaItem.objects.get(meeting=meeting)
    for owner in folks:
        s.ballot_cast(actor=owner.actor, item_id=agenda.pk, choice="yes")
    s.vote_close(actor=worker, item_id=agenda.pk)
    outcome = Outcome.objects.get()
    s.outcome_task_add(
        actor=worker, outcome_id=outcome.pk, title="划线", weight=10, due=dt.date(2026, 11, 6)
    )
    clock.advance(days=3)
    run_tick(only="outcome_tasks_flag_overdue")
    run_tick(only="outcome_tasks_flag_overdue")
    assert OutcomeTask.objects.get().overdue_at is not None
    assert AuditRecord.objects.filter(action="outcome.task_overdue").count() == 1
