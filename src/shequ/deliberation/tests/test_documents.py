"""会议纪要 in Word: a meeting held through the services, its minutes read
back from the .docx (title, counts, the proxy, speeches, the decision), a
secret ballot that names nobody's choice, and the queries it costs."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.utils import timezone

from shequ.core.errors import Conflict
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.documents import minutes_docx
from shequ.deliberation.models import AgendaItem, Meeting
from shequ.deliberation.tests.helpers import catalog_item, owners

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DECISION = "在1号楼东侧增设非机动车棚，由宏达物业负责施工。"
SPEECHES = [
    {"name": "业主1", "role": "居民代表", "summary": "电动车在楼道充电有隐患，建议尽快建棚。"},
    {"name": "李经理", "role": "物业", "summary": "物业可承担施工，费用从公共收益列支。"},
]


def _texts(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The paragraphs and the table rows (cells joined by "|") of a .docx."""
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    rows = [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]
    return paragraphs, rows


def _held_meeting(tree, people, clock, *, secret: bool = False, topics: int = 1) -> Meeting:
    """A council meeting of the compound's owners: a resident's topic through
    its co-signers and review, five invitees, four signed in (one by proxy),
    3 yes and 1 no, minutes written, closed."""
    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"])
    topic_ids = []
    for n in range(topics):
        topic = s.topic_propose(actor=folks[0].actor, community=tree.community, item_id=item.pk,
                                title=f"增设非机动车棚{n + 1}", description="电动车没地方停。")  # fmt: skip
        s.topic_cosign(actor=folks[1].actor, topic_id=topic.pk)
        s.topic_cosign(actor=folks[2].actor, topic_id=topic.pk)
        s.topic_accept(actor=worker, topic_id=topic.pk)
        topic_ids.append(topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="council",
                                 title="化机小区议事会", starts_at=timezone.now() + dt.timedelta(days=3),
                                 topic_ids=topic_ids, place="红旗驿站居民议事厅", secret=secret)  # fmt: skip
    invitees = [s.meeting_invite(actor=worker, meeting_id=meeting.pk, role="resident_reps",
                                 resident_id=f.resident.pk) for f in folks]  # fmt: skip
    manager = s.meeting_invite(
        actor=worker, meeting_id=meeting.pk, role="property", name="李经理", body="宏达物业"
    )
    s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[0].pk)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[1].pk)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[2].pk, proxy_name="张小明",
                      proxy_relation="儿子", proxy_authorisation="授权委托书第2026-001号")  # fmt: skip
    s.meeting_sign_in(actor=worker, invitee_id=manager.pk)
    for agenda in AgendaItem.objects.filter(meeting=meeting).order_by("order"):
        s.vote_open(actor=worker, item_id=agenda.pk)
        s.ballot_cast(actor=folks[0].actor, item_id=agenda.pk, choice="yes")
        s.ballot_cast(actor=folks[1].actor, item_id=agenda.pk, choice="yes")
        s.ballot_cast(actor=worker, item_id=agenda.pk, choice="yes", invitee_id=invitees[2].pk)
        s.ballot_cast(actor=worker, item_id=agenda.pk, choice="no", invitee_id=manager.pk)
        s.vote_close(actor=worker, item_id=agenda.pk, decision=DECISION)
    s.meeting_minutes(actor=worker, meeting_id=meeting.pk, chair="刘书记", recorder="王晓",
                      speeches=SPEECHES, minutes="会议同意增设非机动车棚。\n由物业于月底前完成。")  # fmt: skip
    return s.meeting_close(actor=worker, meeting_id=meeting.pk)


def test_the_minutes_carry_the_meeting_its_attendance_vote_and_decision(tree, people, clock):
    meeting = _held_meeting(tree, people, clock)
    paragraphs, rows = _texts(minutes_docx(meeting))
    agenda = AgendaItem.objects.select_related("topic").get(meeting=meeting)

    assert paragraphs[0] == "站前社区议事会会议纪要"
    assert rows[:10] == [
        ["会议编号", meeting.number],
        ["会议名称", "化机小区议事会"],
        ["协商形式", "议事会"],
        ["时间", "2026年11月05日 09:00"],
        ["地点", "红旗驿站居民议事厅"],
        ["主持人", "刘书记"],
        ["记录人", "王晓"],
        ["应到人数", "5人"],
        ["实到人数（含委托）", "4人（其中委托1人）"],
        ["是否达到法定人数", "是"],
    ]
    assert rows[10:] == [
        ["序号", "姓名", "身份", "所在单位", "签到情况", "委托代理人"],
        ["1", "业主1", "居民代表", "", "已签到 09:00", ""],
        ["2", "业主2", "居民代表", "", "已签到 09:00", ""],
        ["3", "业主3", "居民代表", "", "已签到 09:00", "委托张小明（儿子）"],
        ["4", "业主4", "居民代表", "", "缺席", ""],
        ["5", "李经理", "物业服务企业", "宏达物业", "已签到 09:00", ""],
    ]
    start = paragraphs.index("三、议题及表决情况")
    assert paragraphs[start + 1 : start + 9] == [
        f"（一）{agenda.topic.number} 增设非机动车棚1",
        "表决规则：到会人员过半数同意",
        "表决方式：记名投票",
        "表决结果：应参与表决4人，参与表决4人；同意3票，反对1票，弃权0票。",
        "是否通过：通过",
        "表决结论：同意3票，占到会4人的75.00%，超过半数。",
        f"协商结果：{DECISION}",
        f"公示截止：{agenda.publicity_until:%Y年%m月%d日}",
    ]
    assert paragraphs[start + 9 :] == [
        "四、发言情况",
        "1. 业主1（居民代表）：电动车在楼道充电有隐患，建议尽快建棚。",
        "2. 李经理（物业）：物业可承担施工，费用从公共收益列支。",
        "五、会议纪要",
        "会议同意增设非机动车棚。",
        "由物业于月底前完成。",
        "主持人签字：＿＿＿＿＿＿＿＿　　　　记录人签字：＿＿＿＿＿＿＿＿",
        "2026年11月05日",
    ]


def test_the_minutes_are_set_in_a_chinese_font(tree, people, clock):
    meeting = _held_meeting(tree, people, clock)
    document = docx.Document(io.BytesIO(minutes_docx(meeting)))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:eastAsia")) == "宋体"


def test_a_secret_ballot_shows_only_its_counts(tree, people, clock):
    meeting = _held_meeting(tree, people, clock, secret=True)
    paragraphs, rows = _texts(minutes_docx(meeting))

    assert "表决方式：无记名投票" in paragraphs
    assert "表决结果：应参与表决4人，参与表决4人；同意3票，反对1票，弃权0票。" in paragraphs
    voters = ["业主1", "业主2", "业主3", "张小明", "李经理"]
    choices = ["同意", "反对", "弃权"]
    lines = paragraphs + ["|".join(row) for row in rows]
    assert [
        line for line in lines if any(v in line for v in voters) and any(c in line for c in choices)
    ] == []


def test_the_queries_do_not_grow_with_the_agenda_and_invitees(
    tree, people, clock, django_assert_num_queries
):
    meeting = _held_meeting(tree, people, clock, topics=2)
    # The meeting with its community, the agenda with its topics, the invitees.
    with django_assert_num_queries(3):
        paragraphs, _ = _texts(minutes_docx(meeting))
    assert [p for p in paragraphs if p.startswith("是否通过")] == ["是否通过：通过"] * 2


def test_a_meeting_not_yet_held_has_no_minutes(tree, people, clock):
    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="停车管理",
                            description="划定车位。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="council", title="议事会",
                                 starts_at=timezone.now() + dt.timedelta(days=3), topic_ids=[topic.pk],
                                 place="居民议事厅")  # fmt: skip
    with pytest.raises(Conflict, match="召开后才能生成会议纪要"):
        minutes_docx(meeting)
