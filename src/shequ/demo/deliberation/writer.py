"""One community's script written as final rows, in the order things
happened, each with the timeline events a service would have written.

Residents: proposers, co-signers, online voters, objectors and raters are
real residents of the place, with the resident account the services require
for acting on a phone (made on first use: ``resident-<community>-<n>``,
unusable password). Invitees vote on paper, recorded by the worker, unless
they have an account. Where a tiny demo (``--residents``) lacks the
residents a personal topic needs, the community proposes it instead; an
owners' vote needs at least one household of its compound.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.numbering import receipt_next
from shequ.core.permissions import Role
from shequ.core.words import keywords_of
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Workflow
from shequ.deliberation.models import (
    OWNER_RULES,
    PERSONAL_PROPOSERS,
    AgendaItem,
    Ballot,
    Choice,
    ConsultationItem,
    Invitee,
    MatterLevel,
    Meeting,
    MeetingForm,
    MeetingState,
    Objection,
    Outcome,
    OutcomeRating,
    OutcomeReview,
    OutcomeState,
    OutcomeTask,
    OwnerKind,
    Participant,
    ProposerKind,
    SecretTally,
    TaskState,
    Topic,
    TopicCosign,
    TopicState,
    VoteRule,
    VoteState,
)
from shequ.deliberation.rules import Tally, decide
from shequ.deliberation.services import MEETING_FLOW, TOPIC_FLOW, cosign_threshold, tally_of
from shequ.deliberation.services.meetings import notice_days, publicity_days
from shequ.deliberation.services.topics import review_days
from shequ.demo.deliberation.scripts import SEED, A, M, Out, Script, T
from shequ.demo.governance import TimelineEvents
from shequ.residents.models import Household, Relation, Resident, ResidentTag, Tag
from shequ.whistles.models import Department

WORKER = "community_worker"
CENTS = Decimal("0.01")
ADULT_DAYS = round(18 * 365.25)


class Person:
    """A resident of the community, as the script needs them."""

    __slots__ = ("adult", "building_id", "compound_id", "head", "household_id", "id", "name", "party",
                 "user_id")  # fmt: skip

    def __init__(self, row: tuple, party: set[int], adult_before: dt.date) -> None:
        (
            pk,
            self.name,
            self.user_id,
            self.household_id,
            self.building_id,
            self.compound_id,
            relation,
            born,
        ) = row
        self.id: int = pk
        self.head = relation == Relation.HEAD
        self.adult = born <= adult_before
        self.party = pk in party


def backdate(obj: models.Model, at: dt.datetime) -> None:
    """``created_at`` (auto_now_add) set to when the row was really made."""
    type(obj)._default_manager.filter(pk=obj.pk).update(created_at=at)
    obj.created_at = at  # type: ignore[attr-defined]


class CommunityWriter:
    def __init__(self, script: Script, community: Region, items: dict[str, ConsultationItem],
                 worker: User, events: TimelineEvents, now: dt.datetime) -> None:  # fmt: skip
        self.script, self.community, self.items, self.events = script, community, items, events
        self.worker, self.now = worker, now
        self.today = timezone.localdate(now)
        self.rng = random.Random(f"{SEED}:{script.code}")  # noqa: S311 - test data
        self.rows = self.users = 0
        secretary = (
            Grant.objects.filter(region=community, role=Role.COMMUNITY_SECRETARY)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        self.chair = secretary.user.full_name if secretary else worker.full_name
        self.compounds = list(
            Region.objects.filter(community=community, level=RegionLevel.COMPOUND).order_by("code")
        )
        self.buildings = {
            (b.compound_id, b.name): b
            for b in Region.objects.filter(community=community, level=RegionLevel.BUILDING)
        }
        party = set(
            ResidentTag.objects.filter(community=community, tag=Tag.PARTY_MEMBER).values_list(
                "resident_id", flat=True
            )
        )
        adult_before = self.today - dt.timedelta(days=ADULT_DAYS)
        self.people = [
            Person(row, party, adult_before)
            for row in Resident.objects.filter(community=community).order_by("id").values_list(
                "id", "name", "user_id", "household_id", "household__building_id",
                "household__building__compound_id", "relation", "birth_date")
        ]  # fmt: skip
        demo = Resident.objects.filter(user__username="demo-resident").values_list("id", flat=True)
        self.demo = next((p for p in self.people if p.id == demo.first()), None)
        self.password = make_password(None)
        self.topics: dict[str, Topic] = {}
        # topic key -> when its meeting put it on the agenda
        self.planned = {a.topic: self._planned(m) for m in script.meetings for a in m.agenda}

    def write(self) -> None:
        for topic in self.script.topics:
            self._topic(topic)
        for meeting in self.script.meetings:
            self._meeting(meeting)

    # -- people and moments --------------------------------------------------------------------

    def _adults(
        self, compound: Region | None = None, building: Region | None = None
    ) -> list[Person]:
        """Adults living where a topic is: its building, else compound, else the community."""
        if building is not None:
            return [p for p in self.people if p.adult and p.building_id == building.pk]
        if compound is not None:
            return [p for p in self.people if p.adult and p.compound_id == compound.pk]
        return [p for p in self.people if p.adult]

    def _pick(self, pool: Sequence[Person], n: int, taken: set[int] | None = None) -> list[Person]:
        """``n`` of ``pool`` (never the demo resident, who acts for themself)."""
        free = [p for p in pool if p is not self.demo and (taken is None or p.id not in taken)]
        return self.rng.sample(free, min(max(n, 0), len(free)))

    def _user(self, person: Person) -> int:
        """The resident's account, made on first use."""
        if person.user_id is None:
            self.users += 1
            user = User.objects.create(username=f"resident-{self.community.code}-{self.users:03d}",
                                       full_name=person.name, password=self.password)  # fmt: skip
            Grant.objects.create(user=user, role=Role.RESIDENT, region=self.community)
            Resident.objects.filter(pk=person.id).update(user=user)
            person.user_id = user.pk
        return int(person.user_id)

    def _day_at(self, days: float, hour: int, minute: int = 0) -> dt.datetime:
        day = self.today + dt.timedelta(days=math.floor(days))
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def _start(self, m: M) -> dt.datetime:
        return self._day_at(m.days, *m.hour)

    def _planned(self, m: M) -> dt.datetime:
        """The meeting was prepared (its agenda set) the day before its notice."""
        return self._start(m) - dt.timedelta(days=m.noticed + 1)

    def _ago(self, days: float) -> dt.datetime:
        """``days`` ago, in waking hours (8:00–20:59; the hour of the night is
        moved by the day, not drawn, so the load does not depend on the clock)."""
        local = timezone.localtime(self.now - dt.timedelta(days=days))
        if not 8 <= local.hour <= 20:
            local = local.replace(hour=8 + math.floor(days * 7) % 13)
        return min(local, self.now - dt.timedelta(hours=2))

    def _spread(self, start: dt.datetime, end: dt.datetime, n: int) -> list[dt.datetime]:
        span = max((end - start).total_seconds(), 120.0)
        return sorted(start + dt.timedelta(seconds=self.rng.uniform(60, span)) for _ in range(n))

    def _number(self, at: dt.datetime) -> str:
        return receipt_next(community=self.community, day=timezone.localdate(at))

    def _step(self, obj: models.Model, flow: Workflow, action: str, at: dt.datetime, before: str,
              after: str, actor: User | None = None, role: str = WORKER, note: str = "") -> None:  # fmt: skip
        """A transition's timeline event, labelled as its workflow labels it."""
        self.events.add(obj, at, action, flow.get(action).label, before, after,
                        actor if actor is not None else self.worker, role, note=note)  # fmt: skip

    def _note(self, obj: models.Model, at: dt.datetime, action: str, label: str, state: str,
              note: str = "") -> None:  # fmt: skip
        """The event of a write that is not a transition, by the worker."""
        self.events.add(obj, at, action, label, state, state, self.worker, WORKER, note=note)

    # -- topics --------------------------------------------------------------------------------

    def _place(self, spec: T) -> tuple[Region | None, Region | None]:
        if spec.compound is None:
            return None, None
        compound = self.compounds[spec.compound]
        building = (
            self.buildings.get((compound.pk, f"{spec.building}号楼")) if spec.building else None
        )
        return compound, building

    def _topic(self, spec: T) -> None:
        item = self.items[spec.item]
        version = item.current_version
        if version is None:
            raise ValueError(f"{spec.item} has no version")
        compound, building = self._place(spec)
        if version.level != MatterLevel.COMMUNITY and compound is None:
            raise ValueError(f"{spec.key}: a {version.level} matter needs its place")
        planned = self.planned.get(spec.key)
        has_owners = compound is not None and any(p.compound_id == compound.pk for p in self.people)
        if planned and version.vote_rule in OWNER_RULES and not has_owners:
            return  # nobody to vote on it (a tiny --residents)
        proposed = self._ago(spec.days)
        deadline = planned - dt.timedelta(days=1) if planned else self.now - dt.timedelta(hours=1)
        if proposed >= deadline:
            raise ValueError(f"{spec.key}: proposed after its meeting was prepared")
        pool = self._adults(compound, building)
        kind, resident, body = spec.proposer, None, spec.body
        if kind == "demo":
            kind, resident = ProposerKind.RESIDENT, self.demo if self.demo in pool else None
        if kind == ProposerKind.PARTY_MEMBER:
            resident = next(iter(self._pick([p for p in pool if p.party] or pool, 1)), None)
        elif kind == ProposerKind.RESIDENT and resident is None:
            resident = next(iter(self._pick(pool, 1)), None)
        target = TopicState.SCHEDULED if planned else spec.state
        personal = kind in PERSONAL_PROPOSERS
        threshold = (
            cosign_threshold(level=version.level, compound=compound, building=building)
            if personal
            else 0
        )
        reached = target not in (TopicState.COSIGNING, TopicState.REJECTED)
        others = [p for p in pool if p is not resident and p is not self.demo]
        demo_signs = bool(spec.demo_cosigns and self.demo in pool and self.demo is not resident)
        if personal and (resident is None or (reached and len(others) + demo_signs < threshold)):
            kind, resident, personal, threshold = ProposerKind.COMMUNITY, None, False, 0
            demo_signs = False
        if not personal and target == TopicState.COSIGNING:
            target = TopicState.REVIEW  # the community's own topic goes straight to review
        if kind == ProposerKind.PARTY_MEMBER and resident is not None:
            body = resident.name  # a worker enters the party member's proposal, by name
        by_resident = kind == ProposerKind.RESIDENT and resident is not None
        proposer = self._user(resident) if by_resident and resident else self.worker.pk
        cosigners: list[Person] = []
        if personal and reached:
            cosigners = self._pick(others, threshold - demo_signs)
            if demo_signs and self.demo is not None:
                cosigners.insert(0, self.demo)
        elif personal:
            cosigners = self._pick(others, min(spec.cosigners, threshold - 1))
        end = (
            proposed + min(dt.timedelta(days=4), (deadline - proposed) * 0.4)
            if reached
            else self.now
        )
        times = self._spread(proposed, end, len(cosigners))
        enter_review = times[-1] if cosigners and reached else proposed
        reviewed = min(enter_review + dt.timedelta(hours=self.rng.uniform(20, 60)), deadline)
        first = TopicState.COSIGNING if personal else TopicState.REVIEW
        topic = Topic(
            district_id=self.community.district_id, community=self.community, compound=compound, building=building,
            number=self._number(proposed), item=item, item_version=version, category=version.category,
            title=spec.title, description=spec.description, keywords=keywords_of(f"{spec.title} {spec.description}"),
            proposer_kind=kind, proposer_id=proposer, proposer_resident_id=resident.id if by_resident and resident else None,
            proposer_body=body, status=target, threshold=threshold, cosigners=len(cosigners), proposed_at=proposed,
        )  # fmt: skip
        if not personal or reached:
            due = add_workdays(timezone.localdate(enter_review), review_days())
            topic.review_due, topic.review_due_uncertain = due.date, due.uncertain
        if target not in (TopicState.COSIGNING, TopicState.REVIEW):
            topic.reviewed_at, topic.reviewed_by = reviewed, self.worker
        if target == TopicState.REJECTED:
            topic.reason = spec.reason
        topic.save()
        backdate(topic, proposed)
        self.topics[spec.key] = topic
        self.events.add(topic, proposed, "propose", f"提出议题（{topic.proposer_label}）", "", first,
                        User(pk=proposer), "resident" if by_resident else WORKER)  # fmt: skip
        rows = []
        for person, at in zip(cosigners, times, strict=True):
            user = self._user(person)
            rows.append(TopicCosign(topic=topic, district_id=topic.district_id, community=self.community,
                                    resident_id=person.id, user_id=user, at=at))  # fmt: skip
            self.events.add(
                topic, at, "cosign", "居民附议", first, first, User(pk=user), "resident"
            )
        TopicCosign.objects.bulk_create(rows)
        self.rows += 1 + len(rows)
        if personal and reached:
            self._step(topic, TOPIC_FLOW, "threshold", enter_review, first, TopicState.REVIEW,
                       User(pk=cosigners[-1].user_id), "resident", f"附议{len(cosigners)}人")  # fmt: skip
        if target == TopicState.REJECTED:
            self._step(topic, TOPIC_FLOW, "reject", reviewed, first, target, note=spec.reason[:200])
        elif target in (TopicState.ACCEPTED, TopicState.SCHEDULED):
            self._step(
                topic, TOPIC_FLOW, "accept", reviewed, TopicState.REVIEW, TopicState.ACCEPTED
            )

    # -- meetings ------------------------------------------------------------------------------

    def _meeting(self, m: M) -> None:
        agenda = [(a, self.topics[a.topic]) for a in m.agenda if a.topic in self.topics]
        if not agenda:
            return
        for _a, topic in agenda:
            if m.form not in topic.item_version.forms:
                raise ValueError(f"{topic.title}: its catalog item does not allow {m.form}")
        if m.noticed < notice_days():
            raise ValueError(f"{m.title}: noticed less than {notice_days()} days before it starts")
        start, planned = self._start(m), self._planned(m)
        noticed = start - dt.timedelta(days=m.noticed)
        online = m.form == MeetingForm.ONLINE
        ends = self._day_at(m.days + m.window, 20) if online else None
        past = (ends or start + dt.timedelta(hours=3)) < self.now
        status = (
            MeetingState.CLOSED
            if past
            else MeetingState.IN_SESSION
            if start < self.now
            else MeetingState.NOTICED
        )
        compound = self.compounds[m.compound] if m.compound is not None else None
        meeting = Meeting(
            district_id=self.community.district_id, community=self.community, compound=compound,
            number=self._number(planned), form=m.form, title=m.title, starts_at=start, ends_at=ends,
            place=m.place, notice_days=notice_days(), noticed_at=noticed, status=status, created_by=self.worker,
            notice_text=self._notice(m, [t for _a, t in agenda], start, ends, compound),
        )  # fmt: skip
        meeting.save()
        backdate(meeting, planned)
        self.events.add(meeting, planned, "schedule", f"筹备{MeetingForm(m.form).label}", "",
                        MeetingState.PLANNED, self.worker, WORKER)  # fmt: skip
        items = [AgendaItem(meeting=meeting, topic=topic, district_id=meeting.district_id, community=self.community,
                            order=n, rule=topic.item_version.vote_rule, secret=a.secret, closes_at=ends)
                 for n, (a, topic) in enumerate(agenda, 1)]  # fmt: skip
        AgendaItem.objects.bulk_create(items)
        for _a, topic in agenda:
            self._step(topic, TOPIC_FLOW, "schedule", planned, TopicState.ACCEPTED, TopicState.SCHEDULED,
                       note=f"会议 {meeting.number}")  # fmt: skip
        slots = self._invitees(meeting, m, agenda[0][1], planned)
        meeting.invited = sum(1 for s in slots if s is not None)
        self._step(
            meeting, MEETING_FLOW, "notice", noticed, MeetingState.PLANNED, MeetingState.NOTICED
        )
        self.rows += 1 + len(items)
        if status == MeetingState.NOTICED:
            meeting.save(update_fields=["invited"])
            return
        meeting.opened_at = start
        self._step(
            meeting, MEETING_FLOW, "open", start, MeetingState.NOTICED, MeetingState.IN_SESSION
        )
        present = self._sign_in(meeting, m, slots, start)
        clock = start + dt.timedelta(minutes=30)
        for (a, _topic), item in zip(agenda, items, strict=True):
            item.vote_state, item.opened_at = VoteState.OPEN, start if online else clock
            self._note(meeting, item.opened_at, "vote_open", "开始表决", MeetingState.IN_SESSION)
            if online:
                self._online_ballots(item, a, start, min(ends or self.now, self.now), closed=past)
            else:
                self._meeting_ballots(item, a, present, clock)
            if not past:
                item.save(update_fields=["vote_state", "opened_at"])
                continue
            closed = ends + dt.timedelta(minutes=10) if ends else clock + dt.timedelta(minutes=15)
            self._close_vote(item, a, closed)
            clock = closed + dt.timedelta(minutes=10)
        if not past:
            meeting.save(update_fields=["invited", "present", "quorum_met", "opened_at"])
            return
        meeting.closed_at = clock
        meeting.chair, meeting.recorder = self.chair, self.worker.full_name
        meeting.speeches = []
        for who, text in m.speeches:
            speaker = slots[who] if isinstance(who, int) else None
            if speaker is not None:
                meeting.speeches.append({"name": speaker.name, "summary": text,
                                         "role": speaker.body or Participant(speaker.role).label})  # fmt: skip
            elif who == "chair":
                meeting.speeches.append({"name": self.chair, "role": "主持人", "summary": text})
        meeting.minutes = self._minutes(meeting, items)
        next_morning = self._day_at((timezone.localdate(clock) - self.today).days + 1, 10)
        meeting.minutes_at = max(min(next_morning, self.now - dt.timedelta(minutes=30)), clock)
        self._step(
            meeting, MEETING_FLOW, "close", clock, MeetingState.IN_SESSION, MeetingState.CLOSED
        )
        self._note(meeting, meeting.minutes_at, "minutes", "填写会议纪要", MeetingState.CLOSED)
        meeting.save()

    def _notice(self, m: M, topics: list[Topic], start: dt.datetime, ends: dt.datetime | None,
                compound: Region | None) -> str:  # fmt: skip
        lines = "；".join(f"{n}. {t.title}" for n, t in enumerate(topics, 1))
        when = f"{timezone.localtime(start):%Y年%m月%d日 %H:%M}"
        if ends is not None:
            return (f"{m.title}定于{when}至{timezone.localtime(ends):%m月%d日 %H:%M}在“社区议事”手机页面进行，"
                    f"议题：{lines}。请{compound.name if compound else '本社区'}居民（业主）在截止时间前参与表决。")  # fmt: skip
        return f"定于{when}在{m.place}召开{m.title}，议题：{lines}。请参会人员准时参加，不能到会的可书面委托代理人。"

    def _invitees(
        self, meeting: Meeting, m: M, first: Topic, at: dt.datetime
    ) -> list[Invitee | None]:
        """The invitees, one slot per place in the script's list (``None``
        where the community has too few residents)."""
        near = self._adults(first.compound, first.building) if first.compound else []
        taken: set[int] = set()
        slots: list[Invitee | None] = []
        for role, who, body in m.invitees:
            base = {"meeting": meeting, "district_id": meeting.district_id, "community": self.community,
                    "role": role, "body": body}  # fmt: skip
            if isinstance(who, str):
                slots.append(Invitee(name=who, **base))
                continue
            pool = self._adults()
            if role == Participant.STAKEHOLDERS and near:
                pool = near
            elif role == Participant.PARTY_MEMBERS:
                pool = [p for p in pool if p.party] or pool
            elif role == Participant.OWNERS_COMMITTEE and first.compound:
                pool = self._adults(first.compound) or pool
            chosen = self._pick(pool, who, taken)
            taken.update(p.id for p in chosen)
            slots.extend(
                Invitee(name=p.name, resident_id=p.id, user_id=p.user_id, **base) for p in chosen
            )
            slots.extend([None] * (who - len(chosen)))
        rows = [s for s in slots if s is not None]
        Invitee.objects.bulk_create(rows)
        for n, invitee in enumerate(rows):
            self._note(meeting, at + dt.timedelta(minutes=5 + n), "invite", f"邀请参会：{invitee.name}",
                       MeetingState.PLANNED)  # fmt: skip
        self.rows += len(rows)
        return slots

    def _sign_in(self, meeting: Meeting, m: M, slots: list[Invitee | None],
                 opened: dt.datetime) -> list[Invitee]:  # fmt: skip
        """签到, one by proxy; everyone comes if the absent ones would cost the quorum."""
        invited = [(n, s) for n, s in enumerate(slots) if s is not None]
        present = [(n, s) for n, s in invited if n not in m.absent]
        if len(present) * 2 <= len(invited):
            present = invited
        for n, invitee in present:
            invitee.signed_in_at = opened + dt.timedelta(minutes=1 + n)
            if n == m.proxy and invitee.resident_id is not None:
                own = next(p for p in self.people if p.id == invitee.resident_id)
                family = [
                    p
                    for p in self.people
                    if p.household_id == own.household_id and p.adult and p is not own
                ]
                invitee.proxy_name = family[0].name if family else "张晓东"
                invitee.proxy_relation = "家属" if family else "邻居"
                invitee.proxy_authorisation = f"授权委托书（{invitee.name}签字，会前交社区存档）"
            proxy = f"（委托{invitee.proxy_name}）" if invitee.proxy_name else ""
            self._note(meeting, invitee.signed_in_at, "sign_in", f"签到：{invitee.name}{proxy}",
                       MeetingState.IN_SESSION)  # fmt: skip
        signed = [s for _n, s in present]
        Invitee.objects.bulk_update(
            signed, ["signed_in_at", "proxy_name", "proxy_relation", "proxy_authorisation"]
        )
        meeting.present = len(signed)
        meeting.quorum_met = meeting.present * 2 > meeting.invited
        return signed

    # -- votes ---------------------------------------------------------------------------------

    def _meeting_ballots(
        self, item: AgendaItem, a: A, present: list[Invitee], opened: dt.datetime
    ) -> None:
        """One ballot per present invitee: on paper, recorded by the worker,
        or on the phone by an invitee with an account; as many yes as the
        aimed result needs under the item's rule (base: those present)."""
        n = len(present)
        least = next(
            (y for y in range(n + 1) if decide(item.rule, Tally(n, y, n - y, 0)).passed), n
        )
        yes = (
            min(n, least + self.rng.randint(0, 2))
            if a.passes
            else max(0, least - 1 - self.rng.randint(0, 1))
        )
        rest = n - yes
        abstain = rest // 3 if a.passes else min(rest, 1)
        choices = [Choice.YES] * yes + [Choice.NO] * (rest - abstain) + [Choice.ABSTAIN] * abstain
        self.rng.shuffle(choices)
        rows = []
        for k, (invitee, choice) in enumerate(zip(present, choices, strict=True)):
            phone = invitee.user_id is not None and self.rng.random() < 0.5
            rows.append(Ballot(item=item, district_id=item.district_id, community=self.community, invitee=invitee,
                               recorded=not phone, cast_by_id=invitee.user_id if phone else self.worker.pk,
                               choice="" if item.secret else choice, at=opened + dt.timedelta(seconds=30 + 20 * k)))  # fmt: skip
        self._save_ballots(item, rows, choices)

    def _online_ballots(self, item: AgendaItem, a: A, start: dt.datetime, end: dt.datetime, *,
                        closed: bool) -> None:  # fmt: skip
        """Owners' rules: one ballot per household (with its floor area) by an
        adult of it; other rules: residents of the place. An open vote has
        part of its ballots so far, none of the demo resident's household."""
        topic = item.topic
        owners = item.rule in OWNER_RULES
        if owners:
            voter: dict[int, Person] = {}
            for p in self.people:
                if p.compound_id == topic.compound_id and (
                    p.household_id not in voter or p.head and p.adult
                ):
                    voter[p.household_id] = p
            areas = dict(
                Household.objects.filter(pk__in=list(voter)).values_list("pk", "floor_area")
            )
            mine = self.demo.household_id if self.demo and not closed else None
            voters = [(p, areas[h]) for h, p in sorted(voter.items()) if h != mine]
            self.rng.shuffle(voters)
            if closed:
                total = sum(areas.values(), Decimal("0"))
                voters, choices = self._owners_choices(
                    item.rule, voters, len(voter), total, a.passes
                )
            else:
                voters = voters[: math.ceil(len(voters) * 0.45)]
                choices = self._choices(len(voters), 0.7)
        else:
            pool = self._pick(self._adults(topic.compound, topic.building), 26 if closed else 14)
            voters = [(p, Decimal("0")) for p in pool]
            choices = self._choices(len(voters), 0.75 if a.passes else 0.35)
        rows = []
        for (person, area), choice, at in zip(
            voters, choices, self._spread(start, end, len(voters)), strict=True
        ):
            rows.append(Ballot(item=item, district_id=item.district_id, community=self.community,
                               household_id=person.household_id if owners else None,
                               resident_id=None if owners else person.id, cast_by_id=self._user(person),
                               area=area, choice="" if item.secret else choice, at=at))  # fmt: skip
        self._save_ballots(item, rows, choices)

    def _choices(self, n: int, yes: float) -> list[str]:
        return [Choice.YES if self.rng.random() < yes else self.rng.choice((Choice.NO, Choice.NO, Choice.ABSTAIN))
                for _ in range(n)]  # fmt: skip

    def _owners_choices(self, rule: str, voters: list[tuple[Person, Decimal]], eligible: int, total: Decimal,
                        passes: bool) -> tuple[list[tuple[Person, Decimal]], list[str]]:  # fmt: skip
        """About 85 % of the households take part; then choices are flipped
        (or households added) one at a time until ``decide`` gives the aimed result."""
        taking = voters[: max(1, math.ceil(len(voters) * 0.85))]
        rest = voters[len(taking) :]
        choices = self._choices(
            len(taking), (0.8 if rule == VoteRule.OWNERS_MAJOR else 0.68) if passes else 0.4
        )

        def verdict() -> bool:
            count = dict.fromkeys(Choice.values, 0)
            area = {c: Decimal("0") for c in Choice.values}
            for (_p, a), c in zip(taking, choices, strict=True):
                count[c], area[c] = count[c] + 1, area[c] + a
            return decide(rule, Tally(eligible, count["yes"], count["no"], count["abstain"], total,
                                      area["yes"], area["no"], area["abstain"])).passed  # fmt: skip

        while verdict() != passes:
            if passes and rest:
                taking.append(rest.pop(0))
                choices.append(Choice.YES)
                continue
            want = (lambda c: c != Choice.YES) if passes else (lambda c: c == Choice.YES)
            k = next((i for i, c in enumerate(choices) if want(c)), None)
            if k is None:
                break
            choices[k] = Choice.YES if passes else Choice.NO
        return taking, choices

    def _save_ballots(self, item: AgendaItem, rows: list[Ballot], choices: list[str]) -> None:
        """The ballots; a secret vote's choices only counted (``SecretTally``)."""
        Ballot.objects.bulk_create(rows)
        self.rows += len(rows)
        if not item.secret:
            return
        tallies = []
        for choice in Choice.values:
            mine = [b for b, c in zip(rows, choices, strict=True) if c == choice]
            if mine:
                tallies.append(SecretTally(item=item, district_id=item.district_id, choice=choice,
                                           count=len(mine),
                                           area=sum((b.area for b in mine), Decimal("0"))))  # fmt: skip
        SecretTally.objects.bulk_create(tallies)
        self.rows += len(tallies)

    def _close_vote(self, item: AgendaItem, a: A, at: dt.datetime) -> None:
        """结束表决: counted and decided as ``vote_close`` does; a passed topic
        gets its outcome, a failed one is closed."""
        t = _to_cents(tally_of(item))
        verdict = decide(item.rule, t)
        item.eligible, item.eligible_area = t.eligible, t.eligible_area
        item.participants, item.participants_area = t.participants, t.participants_area
        item.yes, item.yes_area, item.no, item.no_area = t.yes, t.yes_area, t.no, t.no_area
        item.abstain, item.abstain_area = t.abstain, t.abstain_area
        item.passed, item.verdict = verdict.passed, verdict.reason[:200]
        item.decision = a.decision or item.topic.title
        item.vote_state, item.closed_at = VoteState.CLOSED, at
        if verdict.passed:
            item.publicity_until = add_workdays(timezone.localdate(at), publicity_days()).date
        item.save()
        topic = item.topic
        self._note(item.meeting, at, "vote_close", f"表决{'通过' if verdict.passed else '未通过'}：{topic.title}",
                   MeetingState.IN_SESSION, note=verdict.reason)  # fmt: skip
        topic.status = TopicState.DECIDED if verdict.passed else TopicState.NOT_PASSED
        self._step(topic, TOPIC_FLOW, "decide" if verdict.passed else "not_pass", at, TopicState.SCHEDULED,
                   topic.status, note=verdict.reason)  # fmt: skip
        Topic.objects.filter(pk=topic.pk).update(status=topic.status)
        if not verdict.passed:
            return
        if a.objection[0]:
            self._objection(item, a, at)
        outcome = OutcomeWriter(self, item, a.outcome or Out(OwnerKind.COMMUNITY, "", ()), at)
        outcome.write()

    def _objection(self, item: AgendaItem, a: A, closed: dt.datetime) -> None:
        """公示期异议 by a resident of the topic's place, answered the next day."""
        topic = item.topic
        chosen = self._pick(self._adults(topic.compound, topic.building), 1) or self._pick(
            self._adults(), 1
        )
        if not chosen:
            return
        person = chosen[0]
        at = min(closed + dt.timedelta(days=2, hours=1), self.now - dt.timedelta(hours=3))
        Objection.objects.create(item=item, district_id=item.district_id, community=self.community,
                                 resident_id=person.id, user_id=self._user(person), text=a.objection[0], at=at,
                                 answer=a.objection[1], answered_by=self.worker,
                                 answered_at=min(at + dt.timedelta(days=1), self.now - dt.timedelta(hours=1)))  # fmt: skip
        self.rows += 1

    def _minutes(self, meeting: Meeting, items: list[AgendaItem]) -> str:
        if meeting.ends_at is not None:
            head = (f"{meeting.title}于{timezone.localtime(meeting.starts_at):%Y年%m月%d日}至"
                    f"{timezone.localtime(meeting.ends_at):%m月%d日}在线上进行，由{meeting.recorder}汇总表决结果。")  # fmt: skip
        else:
            proxies = sum(1 for i in meeting.invitees.all() if i.proxy_name)
            head = (f"{meeting.title}于{timezone.localtime(meeting.starts_at):%Y年%m月%d日 %H:%M}在{meeting.place}"
                    f"召开，应到{meeting.invited}人，实到{meeting.present}人（含委托代理{proxies}人），超过半数。"
                    f"会议由{meeting.chair}主持，{meeting.recorder}记录。")  # fmt: skip
        lines = [head]
        for n, item in enumerate(items, 1):
            result = f"协商结果：{item.decision}" if item.passed else "该议题未获通过，暂不实施。"
            lines.append(f"议题{n}：{item.topic.title}。表决情况：{item.verdict}{result}")
        lines.append("通过的协商结果在社区公开栏公示五个工作日，公示期间居民可提出异议。")
        return "\n".join(lines)


def _to_cents(t: Tally) -> Tally:
    """The tally's areas to the fields' two places: SQLite sums a decimal
    column as a float and would show its stray digits in the verdict."""
    return dataclasses.replace(
        t,
        eligible_area=t.eligible_area.quantize(CENTS),
        yes_area=t.yes_area.quantize(CENTS),
        no_area=t.no_area.quantize(CENTS),
        abstain_area=t.abstain_area.quantize(CENTS),
    )


class OutcomeWriter:
    """协商成果 of a passed vote: its owner, weighted tasks and their
    progress in the order it was reported, the overdue flags ``shequ tick``
    would have set, a shelving, the residents' ratings."""

    def __init__(
        self, c: CommunityWriter, item: AgendaItem, spec: Out, decided: dt.datetime
    ) -> None:
        self.c, self.item, self.spec, self.decided = c, item, spec, decided

    def _at(self, days: float) -> dt.datetime:
        return min(self.decided + dt.timedelta(days=days), self.c.now - dt.timedelta(hours=1))

    def write(self) -> None:
        c, topic, spec = self.c, self.item.topic, self.spec
        o = Outcome(district_id=topic.district_id, community=c.community, compound=topic.compound, topic=topic,
                    agenda_item=self.item, category=topic.category, title=topic.title[:60],
                    status=OutcomeState.NOT_STARTED)  # fmt: skip
        o.save()
        backdate(o, self.decided)
        c.rows += 1
        c.events.add(o, self.decided, "create", "形成协商成果", "", o.status, c.worker, WORKER)
        if spec.tasks:
            tasks = self._plan(o)
            self._happen(o, tasks)
            OutcomeTask.objects.bulk_create(tasks)
            c.rows += len(tasks)
            if o.status == OutcomeState.DONE and spec.reviews:
                self._reviews(o)
        o.save()

    def _plan(self, o: Outcome) -> list[OutcomeTask]:
        c, spec = self.c, self.spec
        assigned = self._at(1)
        o.owner_kind, o.owner_name = spec.owner, spec.name
        if spec.owner == OwnerKind.DEPARTMENT:
            o.department = Department.objects.filter(
                district_id=o.district_id, name=spec.name
            ).first()
        c._note(o, assigned, "assign", f"明确责任方：{o.owner_label}", o.status)
        decided_on = timezone.localdate(self.decided)
        tasks = []
        for n, s in enumerate(spec.tasks, 1):
            tasks.append(OutcomeTask(outcome=o, district_id=o.district_id, community=c.community, order=n,
                                     title=s.title, weight=s.weight, due=decided_on + dt.timedelta(days=s.due),
                                     milestone=n == len(spec.tasks)))  # fmt: skip
            c._note(o, assigned + dt.timedelta(minutes=n), "task_add", f"增加任务：{s.title}（权重{s.weight}）",
                    o.status)  # fmt: skip
        o.due = max(t.due for t in tasks)
        return tasks

    def _happen(self, o: Outcome, tasks: list[OutcomeTask]) -> None:
        """Progress reports, overdue flags and the shelving, in time order up to now."""
        c, spec = self.c, self.spec
        happenings: list[tuple[dt.datetime, str, Any, int]] = []
        for task, s in zip(tasks, spec.tasks, strict=True):
            reported = self.decided + dt.timedelta(days=s.at)
            if s.progress and reported < c.now:
                happenings.append((reported, "progress", task, s.progress))
            flagged = timezone.make_aware(
                dt.datetime.combine(task.due + dt.timedelta(days=1), dt.time(0, 5))
            )
            if flagged < c.now and not (s.progress == 100 and reported < flagged):
                happenings.append((flagged, "overdue", task, 0))
        if spec.shelved:
            happenings.append((self._at(spec.shelved_at), "shelve", None, 0))
        weight = sum(t.weight for t in tasks)
        for at, kind, task, p in sorted(happenings, key=lambda h: h[0]):
            before = o.status
            if kind == "overdue":
                task.overdue_at = at
                c.events.add(o, at, "task_overdue", f"任务“{task.title}”已超期", before, before)
            elif kind == "shelve":
                o.status, o.reason = OutcomeState.SHELVED, spec.shelved
                c.events.add(
                    o, at, "shelve", "搁置", before, o.status, c.worker, WORKER, note=spec.shelved
                )
            elif o.status != OutcomeState.SHELVED:
                task.progress, task.status = p, TaskState.DONE if p == 100 else TaskState.DOING
                task.done_at = at if p == 100 else None
                o.progress = (Decimal(sum(t.weight * t.progress for t in tasks)) / weight).quantize(
                    Decimal("0.01")
                )
                if o.status == OutcomeState.NOT_STARTED:
                    o.status, o.started_at = OutcomeState.IN_PROGRESS, at
                if all(t.status == TaskState.DONE for t in tasks):
                    o.status, o.completed_at = OutcomeState.DONE, at
                    o.on_time = o.due is None or timezone.localdate(at) <= o.due
                c.events.add(o, at, "progress", f"任务“{task.title}”完成{p}%，总进度{o.progress}%", before,
                             o.status, c.worker, WORKER)  # fmt: skip

    def _reviews(self, o: Outcome) -> None:
        """Ratings by residents who co-signed the topic or voted on it
        themselves (not the demo resident: theirs is for the demo to give)."""
        c = self.c
        cosigned = TopicCosign.objects.filter(topic=o.topic, user__isnull=False).order_by("id")
        voted = Ballot.objects.filter(
            item__topic=o.topic, cast_by__isnull=False, recorded=False
        ).order_by("id")
        demo = c.demo.user_id if c.demo else None
        took_part = [
            *cosigned.values_list("user_id", flat=True),
            *voted.values_list("cast_by_id", flat=True),
        ]
        users = [u for u in dict.fromkeys(took_part) if u != demo]
        completed = o.completed_at or self.decided
        rows = []
        for n, ((rating, comment), user) in enumerate(zip(self.spec.reviews, users, strict=False)):
            at = min(
                completed + dt.timedelta(days=1 + n, hours=3), c.now - dt.timedelta(minutes=20)
            )
            rows.append(OutcomeReview(outcome=o, district_id=o.district_id, community=c.community, user_id=user,
                                      rating=rating, comment=comment, at=at))  # fmt: skip
            c.events.add(o, at, "rate", f"居民评价：{OutcomeRating(rating).label}", o.status, o.status,
                         User(pk=user), "resident")  # fmt: skip
        OutcomeReview.objects.bulk_create(rows)
        o.ratings = len(rows)
        o.satisfied = sum(1 for r in rows if r.rating == OutcomeRating.SATISFIED)
        c.rows += len(rows)
