"""URL arguments of every party page and endpoint for the project's
every-page matrix (``shequ/tests/test_every_page.py``): one of each object,
made through the services the pages call, in 站前社区."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import Relation
from shequ.party.services import buildings, orgs, reporting, stations, transfers
from shequ.party.services.common import quarter_of
from shequ.party.tests.helpers import Orgs, in_service, member, party_orgs
from shequ.residents.tests.helpers import resident
from shequ.whistles.tests.helpers import liaison_unit


def party_page_args(tree, people) -> dict[str, object]:
    built = party_orgs(tree)
    secretary = Actor.for_user(people.secretary)
    today = local_today()
    wang = member(tree.unit, built.group, name="王红", seq=51, room="301")
    seat = orgs.role_add(actor=secretary, org_id=built.group.pk, member_id=wang.pk,
                         role="group_leader", term_start=today)  # fmt: skip
    leaving = member(tree.unit2, built.branch, name="李明", seq=52, room="201")
    transfer = transfers.transfer_request(actor=secretary, kind="out", reason="moved",
                                          member_id=leaving.pk, to_org_name="中共某县某村支部委员会")  # fmt: skip
    station = stations.station_create(actor=secretary, branch_id=built.branch.pk,
                                      name="化机小区红旗驿站", location_kind="public_room",
                                      address="化机小区3号楼底商", area="80",
                                      opened_on=today - dt.timedelta(days=30))  # fmt: skip
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, format="PNG")
    activity = stations.station_activity_log(actor=secretary, station_id=station.pk, day=today,
                                             kind="service", title="义诊", participants=3,
                                             residents_served=3, photos=[png.getvalue()])  # fmt: skip
    head = buildings.building_head_assign(actor=secretary, building_id=tree.building.pk,
                                          resident_id=wang.resident.pk, kind="building",
                                          term_start=today)  # fmt: skip
    neighbour = resident(tree.unit, name="刘桂芳", seq=53, room="302")
    visit = buildings.household_visit_log(actor=Actor.for_user(people.building_head),
                                          household_id=neighbour.household_id, visited_on=today,
                                          raised="楼道灯坏了")  # fmt: skip
    return {
        "org_id": built.group.pk,
        "role_id": seat.pk,
        "member_id": wang.pk,
        "transfer_id": transfer.pk,
        "station_id": station.pk,
        "photo_id": activity.photos.get().pk,
        "head_id": head.pk,
        "visit_id": visit.pk,
        **reporting_page_args(tree, people, built),
    }


def reporting_page_args(tree, people, orgs: Orgs | None = None) -> dict[str, object]:
    """URL kwargs of the 双报到 pages for core's every-page matrix (pass the
    ``orgs`` the other party pages were built on): the school's report-in to
    站前社区, one member's report-in and service, a need; ``unit_id`` is the
    school, as in ``pairing_page_args``."""
    orgs = orgs or party_orgs(tree)
    school = liaison_unit(people)
    worker = Actor.for_user(people.worker)
    today = local_today()
    report = reporting.unit_report_create(
        actor=worker, unit_id=school.pk, party_org_name="中共城东第一中学委员会",
        resources="操场周末开放", contact_name="刘建国",
    )  # fmt: skip
    person = in_service(
        member(tree.unit, orgs.branch, name="王建军", seq=91, relation=Relation.IN_SERVICE), school
    )
    mine = reporting.member_report_create(
        actor=worker, member_id=person.pk, skills="数学辅导", availability="周六上午"
    )
    need = reporting.need_post(
        actor=worker, title="周末辅导功课", wanted=2, needed_by=today + dt.timedelta(days=30)
    )
    reporting.service_log_create(
        actor=worker, report_in_id=mine.pk, day=today, hours="2", what="辅导功课"
    )
    return {"report_id": report.pk, "need_id": need.pk, "unit_id": school.pk,
            "quarter": quarter_of(today)}  # fmt: skip
