"""What the party app holds about a resident, for their copy and for the
erasure once the retention period after 迁出 has passed (``core.registry``).

A member, a transfer, a building head and a 双报到 point at the register
row (or at the member), so the register's erasure makes them anonymous and
the party figures keep counting them. What would still tell who the person
was goes: the employer's and its party organisation's names as typed in, the
skills and hours given when reporting in, a transfer's notes and the
number of the letter brought from outside, and the name and numbers in the
timelines of those rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.privacy import redactions, timeline_redact
from shequ.core.registry import ErasureSubject, PersonalData
from shequ.party.models import BuildingHead, MemberReportIn, PartyMember, Transfer


def erase_member(subject: ErasureSubject) -> Mapping[str, int]:
    member_ids = list(
        PartyMember.objects.filter(resident_id=subject.resident_id).values_list("pk", flat=True)
    )
    members = PartyMember.objects.filter(pk__in=member_ids)
    cleared = members.update(employer_org_name="", employer_name="")
    reports = MemberReportIn.objects.filter(member_id__in=member_ids)
    report_ids = list(reports.values_list("pk", flat=True))
    reports.update(skills="", availability="")
    transfers = Transfer.objects.filter(resident_id=subject.resident_id)
    transfer_ids = list(transfers.values_list("pk", flat=True))
    transfers.update(note="", incoming_letter_number="")
    head_ids = BuildingHead.objects.filter(resident_id=subject.resident_id).values_list(
        "pk", flat=True
    )
    replace = redactions(subject)
    events = sum(
        timeline_redact(model, ids, replace)
        for model, ids in (
            (PartyMember, member_ids),
            (MemberReportIn, report_ids),
            (Transfer, transfer_ids),
            (BuildingHead, head_ids),
        )
    )
    return {
        "members": cleared,
        "report_ins": len(report_ids),
        "transfers": len(transfer_ids),
        "events": events,
    }


def _day(value) -> str:
    return value.isoformat() if value else ""


def party_data(resident_id: int, user_id: int | None) -> list[PersonalData]:
    parts = []
    member = (
        PartyMember.objects.filter(resident_id=resident_id)
        .select_related("org", "employer_unit")
        .first()
    )
    if member is not None:
        employer = member.employer_unit.name if member.employer_unit else member.employer_name
        row = (
            member.org.name,
            member.get_standing_display(),
            member.get_relation_display(),
            _day(member.joined_on),
            _day(member.probation_ends_on),
            employer,
            member.employer_org_name,
            member.get_status_display(),
        )
        columns: tuple[str, ...] = ("所在党组织", "党员类别", "管理类型", "入党日期", "预备期满", "工作单位",
                   "工作单位党组织", "状态")  # fmt: skip
        parts.append(PersonalData("党员信息", columns, (row,)))
        report_ins = tuple(
            (r.skills, r.availability, _day(r.reported_on), _day(r.withdrawn_on))
            for r in MemberReportIn.objects.filter(member=member).order_by("-reported_on")
        )
        if report_ins:
            columns = ("特长", "可服务时间", "报到日期", "撤回日期")
            parts.append(PersonalData("党员双报到", columns, report_ins))
    transfers = tuple(
        (
            t.number,
            t.get_kind_display(),
            t.from_org_name,
            t.to_org_name,
            t.get_status_display(),
            _day(t.requested_on),
        )
        for t in Transfer.objects.filter(resident_id=resident_id).order_by("-requested_on")
    )
    if transfers:
        columns = ("介绍信编号", "类别", "转出党组织", "接收党组织", "状态", "申请日期")
        parts.append(PersonalData("组织关系接转", columns, transfers))
    heads = tuple(
        (h.building.name, h.get_kind_display(), _day(h.term_start), _day(h.ended_on))
        for h in BuildingHead.objects.filter(resident_id=resident_id)
        .select_related("building")
        .order_by("-term_start")
    )
    if heads:
        parts.append(PersonalData("楼栋长", ("楼栋", "类别", "任期开始", "离任日期"), heads))
    return parts
