"""Test data for deliberation: a catalog item adopted by the community and
owners of the test compound with accounts and floor areas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shequ.core.models import Region
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.deliberation.models import ConsultationItem
from shequ.deliberation.services import catalog_adopt, consultation_item_create
from shequ.residents.models import Resident
from shequ.residents.tests.helpers import resident


def catalog_item(district: Region, community: Region, *, code: str = "HJ-01", rule: str = "majority",
                 level: str = "compound", forms: tuple[str, ...] = ("council", "joint", "online"),
                 admin: Actor | None = None) -> ConsultationItem:  # fmt: skip
    """环境改造 / 加装电梯, adopted by ``community``."""
    admin = admin or Actor.for_user(user_with(Role.DISTRICT_ADMIN, district))
    item = consultation_item_create(
        actor=admin, district=district, code=code, category="环境改造", name="加装电梯",
        forms=list(forms), participants=["resident_reps", "property"], vote_rule=rule, level=level,
        legal_basis="《关于加强城乡社区协商的意见》",
    )  # fmt: skip
    catalog_adopt(
        actor=Actor.for_user(user_with(Role.COMMUNITY_SECRETARY, community)), community=community
    )
    return item


@dataclass
class Owner:
    resident: Resident
    actor: Actor


def owners(unit: Region, areas: list[str], *, start: int = 100) -> list[Owner]:
    """One household per area (rooms 1xx) with a resident who has an account."""
    out = []
    for n, area in enumerate(areas):
        r = resident(unit, name=f"业主{n + 1}", seq=start + n, room=str(start + n),
                     phone=f"1390000{start + n:04d}")  # fmt: skip
        r.household.floor_area = Decimal(area)
        r.household.save(update_fields=["floor_area"])
        r.user = user_with(
            Role.RESIDENT, Region.objects.get(pk=unit.community_id), f"owner{start + n}"
        )
        r.save(update_fields=["user"])
        out.append(Owner(r, Actor.for_user(r.user)))
    return out


def deliberation_page_args(tree, people) -> dict[str, int]:
    """URL kwargs of the deliberation pages for core's every-page test: a
    topic scheduled on a meeting with one invitee, and (written directly: the
    vote that would lead to them needs the notice period to pass) a decision
    with its objection, outcome and task, and a photo row (file absent)."""
    import datetime as dt

    from django.utils import timezone

    from shequ.deliberation import services as s
    from shequ.deliberation.models import AgendaItem, Objection, Outcome, OutcomeTask, TopicPhoto

    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="加装电梯",
                            description="1号楼加装电梯。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="council", title="议事会",
                                 starts_at=timezone.now() + dt.timedelta(days=4), topic_ids=[topic.pk],
                                 place="议事厅")  # fmt: skip
    invitee = s.meeting_invite(
        actor=worker, meeting_id=meeting.pk, role="property", name="物业经理"
    )
    agenda = AgendaItem.objects.get(meeting=meeting)
    agenda.passed, agenda.decision = True, "同意加装"
    agenda.publicity_until = timezone.localdate() + dt.timedelta(days=5)
    agenda.save()
    common = {"district_id": tree.district.pk, "community_id": tree.community.pk}
    objection = Objection.objects.create(item=agenda, text="有异议", at=timezone.now(), **common)
    outcome = Outcome.objects.create(topic=topic, agenda_item=agenda, category=topic.category, title=topic.title,
                                     status="not_started", compound=tree.compound, **common)  # fmt: skip
    task = OutcomeTask.objects.create(outcome=outcome, order=1, title="报规划", weight=1,
                                      due=timezone.localdate() + dt.timedelta(days=30), **common)  # fmt: skip
    photo = TopicPhoto.objects.create(topic=topic, file="deliberation/00/missing.jpg", content_type="image/jpeg",
                                      size=1, sha256="0" * 64, **common)  # fmt: skip
    return {
        "topic_id": topic.pk,
        "meeting_id": meeting.pk,
        "invitee_id": invitee.pk,
        "agenda_id": agenda.pk,
        "deliberation:item_id": item.pk,
        "objection_id": objection.pk,
        "outcome_id": outcome.pk,
        "task_id": task.pk,
        "deliberation:photo_id": photo.pk,
        "code": tree.community.code,
    }
