"""What deliberation holds about a resident, for their copy and for the
erasure once the retention period after 迁出 has passed (``core.registry``).

Topics, 附议, ballots and objections point at the register row only (its
erasure makes them anonymous; votes and counts stay as cast). An invitee
keeps the name it was invited under and, for a proxy, the proxy's name and
authorisation; a meeting's speeches name their speakers, and its timeline
names whom it invited. The erasure clears those copies of the resident's
identity (and the name and numbers in the timelines of the topics they
proposed).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from shequ.core.privacy import redactions, timeline_redact
from shequ.core.registry import ErasureSubject, PersonalData
from shequ.deliberation.models import Ballot, Invitee, Meeting, Objection, Topic, TopicCosign

ROWS_LIMIT = 1000


def _at(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def erase_invitees(subject: ErasureSubject) -> Mapping[str, int]:
    invited = list(
        Invitee.objects.filter(resident_id=subject.resident_id).values_list("meeting_id", "name")
    )
    replace = redactions(subject) | {name: subject.erased_name for _, name in invited if name}
    meeting_ids = sorted({meeting_id for meeting_id, _ in invited})
    speeches = 0
    for meeting in Meeting.objects.filter(pk__in=meeting_ids).only("pk", "speeches"):
        named = [s for s in meeting.speeches or [] if isinstance(s, dict) and "name" in s]
        for speech in named:
            if speech["name"] in replace:
                speech["name"] = subject.erased_name
                speeches += 1
        if named:
            meeting.save(update_fields=["speeches"])
    invitees = Invitee.objects.filter(resident_id=subject.resident_id).update(
        name=subject.erased_name, body="", proxy_name="", proxy_relation="", proxy_authorisation=""
    )
    topic_ids = Topic.objects.filter(proposer_resident_id=subject.resident_id).values_list(
        "pk", flat=True
    )
    events = timeline_redact(Meeting, meeting_ids, replace) + timeline_redact(
        Topic, topic_ids, redactions(subject)
    )
    return {"invitees": invitees, "speeches": speeches, "events": events}


def participation_data(resident_id: int, user_id: int | None) -> list[PersonalData]:
    parts = []
    cosigns = (
        TopicCosign.objects.filter(resident_id=resident_id)
        .select_related("topic")
        .order_by("-at")[:ROWS_LIMIT]
    )
    rows: tuple[tuple[str, ...], ...] = tuple(
        (c.topic.number, c.topic.title, _at(c.at)) for c in cosigns
    )
    if rows:
        parts.append(PersonalData("附议", ("议题编号", "议题", "附议时间"), rows))
    invitees = (
        Invitee.objects.filter(resident_id=resident_id)
        .select_related("meeting")
        .order_by("-meeting__starts_at")[:ROWS_LIMIT]
    )
    rows = tuple(
        (
            i.meeting.number,
            i.meeting.title,
            i.name,
            i.get_role_display(),
            _at(i.signed_in_at) or "未签到",
            i.proxy_name,
        )
        for i in invitees
    )
    if rows:
        columns = ("会议编号", "会议", "姓名", "身份", "签到", "委托代理人")
        parts.append(PersonalData("参加协商会议", columns, rows))
    ballots = (
        Ballot.objects.filter(resident_id=resident_id)
        .select_related("item__meeting", "item__topic")
        .order_by("-at")[:ROWS_LIMIT]
    )
    rows = tuple(
        (
            b.item.meeting.number,
            b.item.topic.title,
            "无记名" if b.item.secret else b.get_choice_display(),
            _at(b.at),
        )
        for b in ballots
    )
    if rows:
        parts.append(PersonalData("表决", ("会议编号", "议题", "表决意见", "时间"), rows))
    objections = (
        Objection.objects.filter(resident_id=resident_id)
        .select_related("item__topic")
        .order_by("-at")[:ROWS_LIMIT]
    )
    rows = tuple((o.item.topic.title, o.text, _at(o.at), o.answer) for o in objections)
    if rows:
        parts.append(PersonalData("公示异议", ("议题", "异议内容", "提出时间", "答复"), rows))
    return parts
