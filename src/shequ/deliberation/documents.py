"""会议纪要 in Word (python-docx): the paper minutes a community files after a
协商会议 — the meeting's particulars, who attended (in person or by proxy),
each agenda topic's vote and decision, the speeches, the minutes' text and
the lines the chair and the recorder sign.

The document reads an agenda item's totals only, never a ballot, so a secret
ballot shows its counts and nothing that ties a voter to a choice.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import cast

from django.db.models import Prefetch
from django.utils import timezone
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import ParagraphStyle
from docx.text.run import Run

from shequ.core.errors import Conflict
from shequ.deliberation.models import (
    OWNER_RULES,
    AgendaItem,
    Invitee,
    Meeting,
    MeetingForm,
    MeetingState,
    Participant,
    VoteRule,
    VoteState,
)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Fonts every Chinese Windows and WPS install has; the East Asian slot is what
# Word uses for Chinese characters, so it must be set besides the Latin one.
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
NOT_FILLED = "（未填写）"
SIGN_LINE = "＿" * 8
_NUMERALS = "零一二三四五六七八九十"


def minutes_docx(meeting: Meeting) -> bytes:
    """The minutes (会议纪要) of a meeting that has been opened, as a .docx file."""
    meeting = (
        Meeting.objects.select_related("community")
        .prefetch_related(
            Prefetch(
                "agenda", queryset=AgendaItem.objects.select_related("topic").order_by("order")
            ),
            Prefetch("invitees", queryset=Invitee.objects.order_by("id")),
        )
        .get(pk=meeting.pk)
    )
    if meeting.status not in (MeetingState.IN_SESSION, MeetingState.CLOSED):
        raise Conflict(
            f"会议当前为“{MeetingState(meeting.status).label}”，召开后才能生成会议纪要。"
        )
    doc = Document()
    _page_and_fonts(doc)
    _title(doc, f"{meeting.community.name}{MeetingForm(meeting.form).label}会议纪要")
    _particulars(doc, meeting)
    _attendance(doc, meeting)
    _agenda(doc, meeting)
    _speeches(doc, meeting)
    _heading(doc, "五、会议纪要")
    for line in (meeting.minutes or NOT_FILLED).splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())
    _signatures(doc, meeting)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- layout -----------------------------------------------------------------------------


def _font(target: ParagraphStyle | Run, name: str) -> None:
    target.font.name = name  # the Latin slots
    target.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_and_fonts(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, not the template's Letter
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(3.17)
    normal = cast(ParagraphStyle, doc.styles["Normal"])
    _font(normal, BODY_FONT)
    normal.font.size = Pt(12)


def _title(doc: DocxDocument, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(18)
    _font(run, TITLE_FONT)


def _heading(doc: DocxDocument, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.add_run(text).bold = True


def _table(doc: DocxDocument, rows: list[list[str]], *, header: bool = False) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    if header:
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True


def _day(when: dt.datetime | dt.date) -> str:
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).date()
    return f"{when:%Y年%m月%d日}"


def _moment(when: dt.datetime) -> str:
    return f"{timezone.localtime(when):%Y年%m月%d日 %H:%M}"


def _ordinal(n: int) -> str:
    """一 … 九十九, for the numbered headings of a Chinese document."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    head = "" if tens == 1 else _NUMERALS[tens]
    return f"{head}十{_NUMERALS[ones] if ones else ''}"


# -- sections ---------------------------------------------------------------------------


def _particulars(doc: DocxDocument, meeting: Meeting) -> None:
    _heading(doc, "一、会议基本情况")
    when = _moment(meeting.starts_at)
    if meeting.is_online and meeting.ends_at is not None:
        when = f"{when} 至 {_moment(meeting.ends_at)}"
    proxies = sum(1 for i in meeting.invitees.all() if i.present and i.proxy_name)
    present = f"{meeting.present}人" + (f"（其中委托{proxies}人）" if proxies else "")
    if meeting.is_online:
        quorum = "不适用（线上协商）"
    else:
        quorum = "是" if meeting.quorum_met else "否（实到人数未超过应到人数的半数）"
    _table(
        doc,
        [
            ["会议编号", meeting.number],
            ["会议名称", meeting.title],
            ["协商形式", MeetingForm(meeting.form).label],
            ["时间", when],
            ["地点", meeting.place or ("线上" if meeting.is_online else NOT_FILLED)],
            ["主持人", meeting.chair or NOT_FILLED],
            ["记录人", meeting.recorder or NOT_FILLED],
            ["应到人数", f"{meeting.invited}人"],
            ["实到人数（含委托）", present],
            ["是否达到法定人数", quorum],
        ],
    )


def _attendance_of(invitee: Invitee) -> tuple[str, str]:
    if not invitee.present or invitee.signed_in_at is None:
        return "缺席", ""
    signed = f"已签到 {timezone.localtime(invitee.signed_in_at):%H:%M}"
    if not invitee.proxy_name:
        return signed, ""
    relation = f"（{invitee.proxy_relation}）" if invitee.proxy_relation else ""
    return signed, f"委托{invitee.proxy_name}{relation}"


def _attendance(doc: DocxDocument, meeting: Meeting) -> None:
    _heading(doc, "二、参会人员")
    invitees = list(meeting.invitees.all())
    if not invitees:
        doc.add_paragraph("线上协商，由议题所涉小区（楼栋）居民在线表决，不设参会名单。")
        return
    rows = [["序号", "姓名", "身份", "所在单位", "签到情况", "委托代理人"]]
    for n, invitee in enumerate(invitees, start=1):
        signed, proxy = _attendance_of(invitee)
        rows.append(
            [str(n), invitee.name, Participant(invitee.role).label, invitee.body, signed, proxy]
        )
    _table(doc, rows, header=True)


def _area(value: Decimal) -> str:
    return f"{value}平方米"


def _result(item: AgendaItem) -> str:
    if item.rule in OWNER_RULES:
        return (
            f"应参与表决{item.eligible}户（专有部分面积{_area(item.eligible_area)}），"
            f"参与表决{item.participants}户（{_area(item.participants_area)}）；"
            f"同意{item.yes}户（{_area(item.yes_area)}），反对{item.no}户（{_area(item.no_area)}），"
            f"弃权{item.abstain}户（{_area(item.abstain_area)}）。"
        )
    return (
        f"应参与表决{item.eligible}人，参与表决{item.participants}人；"
        f"同意{item.yes}票，反对{item.no}票，弃权{item.abstain}票。"
    )


def _agenda(doc: DocxDocument, meeting: Meeting) -> None:
    _heading(doc, "三、议题及表决情况")
    for n, item in enumerate(meeting.agenda.all(), start=1):
        topic = item.topic
        doc.add_paragraph().add_run(f"（{_ordinal(n)}）{topic.number} {topic.title}").bold = True
        lines = [
            f"表决规则：{VoteRule(item.rule).label}",
            f"表决方式：{'无记名投票' if item.secret else '记名投票'}",
        ]
        if item.vote_state != VoteState.CLOSED:
            lines.append(f"表决状态：{VoteState(item.vote_state).label}")
        else:
            lines += [
                f"表决结果：{_result(item)}",
                f"是否通过：{'通过' if item.passed else '未通过'}",
                f"表决结论：{item.verdict or NOT_FILLED}",
                f"协商结果：{item.decision or NOT_FILLED}",
            ]
            if item.publicity_until is not None:
                lines.append(f"公示截止：{_day(item.publicity_until)}")
        for line in lines:
            doc.add_paragraph(line)


def _speeches(doc: DocxDocument, meeting: Meeting) -> None:
    _heading(doc, "四、发言情况")
    speeches = [s for s in meeting.speeches or [] if isinstance(s, dict)]
    if not speeches:
        doc.add_paragraph("（无）")
    for n, speech in enumerate(speeches, start=1):
        role = f"（{speech['role']}）" if speech.get("role") else ""
        doc.add_paragraph(f"{n}. {speech.get('name', '')}{role}：{speech.get('summary', '')}")


def _signatures(doc: DocxDocument, meeting: Meeting) -> None:
    signed = doc.add_paragraph(f"主持人签字：{SIGN_LINE}　　　　记录人签字：{SIGN_LINE}")
    signed.paragraph_format.space_before = Pt(36)
    day = meeting.minutes_at or meeting.closed_at or meeting.opened_at or meeting.starts_at
    dated = doc.add_paragraph(_day(day))
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
