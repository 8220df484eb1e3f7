"""Builders of the whistle tests (and the page-by-role matrix in core)."""

from __future__ import annotations

from shequ.core.scope import Actor
from shequ.whistles.models import (
    Department,
    DepartmentKind,
    EscalationNotice,
    Liaison,
    NoticeKind,
    Whistle,
)
from shequ.whistles.whistle.services import whistle_raise


def police(people) -> Department:
    department = Liaison.objects.get(user=people.department_liaison).department
    assert department is not None
    return department


def other_department(tree, name: str = "区城管执法局") -> Department:
    department, _ = Department.objects.get_or_create(
        district=tree.district,
        name=name,
        defaults={"kind": DepartmentKind.URBAN_MANAGEMENT, "head_name": "赵局长"},
    )
    return department


def blow(people, community, *, lead: Department | None = None, by=None, **overrides) -> Whistle:
    data = {
        "title": "小区门口占道经营",
        "description": "每天傍晚有摊贩占道经营，堵塞消防通道。",
        "category": "sanitation",
        "lead_department_id": (lead or police(people)).pk,
    } | overrides
    if "appeal_ids" in data:  # the records a whistle is raised from, by kind
        data["sources"] = {"appeal": data.pop("appeal_ids")}
    return whistle_raise(actor=Actor.for_user(by or people.worker), community=community, **data)


def whistle_page_args(tree, people) -> dict[str, int]:
    whistle = blow(people, tree.community)
    notice = EscalationNotice.objects.create(
        district=tree.district,
        community=tree.community,
        whistle=whistle,
        kind=NoticeKind.REPORT_IN,
        level=1,
        department=whistle.lead_department,
        addressed_at=whistle.addressed_at,
        text="【街道督办】测试通知",
        created_at=whistle.addressed_at,
    )
    return {"whistle_id": whistle.pk, "notice_id": notice.pk}
