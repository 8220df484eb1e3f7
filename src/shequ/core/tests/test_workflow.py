"""The workflow engine on its own, with a test-only Ticket model."""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.tests.factories import actor_for
from shequ.core.tests.workflow_models import Ticket, TicketState
from shequ.core.workflow import Transition, Workflow, timeline_for, transition

S = TicketState


def _needs_resolution(ticket, actor, resolution="", **data):
    if not resolution.strip():
        raise ValidationError("办结前请填写办理结果。", field="resolution")


def _set_resolution(ticket, actor, resolution="", **data):
    ticket.resolution = resolution.strip()
    return ["resolution"]


# The race test holds the first request inside its guard, i.e. while it owns
# the row lock, until the second request is queued behind that lock.
LOCKED = threading.Event()
RELEASE = threading.Event()


def _pause(ticket, actor, hold=False, **data):
    if hold:
        LOCKED.set()
        RELEASE.wait(timeout=10)


TICKET_FLOW = Workflow(
    name="ticket",
    model=Ticket,
    transitions=[
        Transition(
            "accept",
            sources=[S.OPEN],
            target=S.ACCEPTED,
            label="受理",
            permission="resident.change",
            guards=[_pause],
        ),
        Transition(
            "finish",
            sources=[S.ACCEPTED],
            target=S.DONE,
            label="办结",
            permission="resident.change",
            guards=[_needs_resolution],
            apply=_set_resolution,
        ),
        Transition(
            "close",
            sources=[S.OPEN, S.ACCEPTED],
            target=S.CLOSED,
            label="关闭",
            permission="region.manage",
        ),
    ],
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if Ticket._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(Ticket)


def _ticket(tree, **kw):
    return Ticket.objects.create(
        title="楼道灯坏了", district=tree.district, community=tree.community, **kw
    )


def _unchanged(ticket, status):
    ticket.refresh_from_db()
    assert ticket.status == status
    assert not TimelineEvent.objects.filter(object_id=ticket.pk).exists()
    assert not AuditRecord.objects.filter(action__startswith="ticket.").exists()


def test_allowed_path_writes_state_timeline_and_audit(people, tree):
    # given: an open ticket in the worker's community
    ticket = _ticket(tree)
    actor = actor_for(people.worker)
    # when: the worker accepts it, then finishes it with a resolution
    transition(
        workflow=TICKET_FLOW, actor=actor, obj_or_pk=ticket.pk, action="accept", note="今天派人去看"
    )
    done = transition(
        workflow=TICKET_FLOW,
        actor=actor,
        obj_or_pk=ticket,
        action="finish",
        data={"resolution": "已更换灯泡"},
    )
    # then: the row holds the new state and the field the action set
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == (S.DONE, "已更换灯泡")
    assert done.status == S.DONE
    # and: two timeline events, oldest first, with who, role and states
    events = list(timeline_for(ticket))
    assert [
        (e.action, e.action_label, e.from_state, e.to_state, e.actor_id, e.actor_role)
        for e in events
    ] == [
        ("accept", "受理", "open", "accepted", people.worker.pk, "community_worker"),
        ("finish", "办结", "accepted", "done", people.worker.pk, "community_worker"),
    ]
    assert events[0].note == "今天派人去看"
    assert events[1].data == {"resolution": "已更换灯泡"}
    assert events[0].content_type == ContentType.objects.get_for_model(Ticket)
    # and: two audit records in the ticket's community
    records = list(AuditRecord.objects.filter(action__startswith="ticket.").order_by("id"))
    assert [(r.action, r.changes, r.region_id, r.object_id, r.username) for r in records] == [
        (
            "ticket.accept",
            {"status": ["open", "accepted"]},
            tree.community.pk,
            str(ticket.pk),
            "worker",
        ),
        (
            "ticket.finish",
            {"status": ["accepted", "done"], "resolution": ["", "已更换灯泡"]},
            tree.community.pk,
            str(ticket.pk),
            "worker",
        ),
    ]


def test_wrong_state_is_a_conflict_and_changes_nothing(people, tree):
    # given: a ticket already done
    ticket = _ticket(tree, status=S.DONE)
    # when / then
    with pytest.raises(Conflict) as error:
        transition(
            workflow=TICKET_FLOW,
            actor=actor_for(people.worker),
            obj_or_pk=ticket.pk,
            action="accept",
        )
    assert error.value.message == "该事项当前状态为“已办结”，不能执行“受理”。"
    _unchanged(ticket, S.DONE)


def test_missing_permission_is_refused(people, tree):
    # given: the inspector reads but may not change anything
    ticket = _ticket(tree)
    with pytest.raises(PermissionDenied) as error:
        transition(
            workflow=TICKET_FLOW,
            actor=actor_for(people.inspector),
            obj_or_pk=ticket.pk,
            action="accept",
        )
    assert error.value.message == "您没有“修改居民”的权限。"
    # and: the worker may accept but not close (close needs region.manage)
    with pytest.raises(PermissionDenied):
        transition(
            workflow=TICKET_FLOW,
            actor=actor_for(people.worker),
            obj_or_pk=ticket.pk,
            action="close",
        )
    _unchanged(ticket, S.OPEN)


def test_guard_failure_changes_nothing(people, tree):
    # given: an accepted ticket
    ticket = _ticket(tree, status=S.ACCEPTED)
    # when: the worker tries to finish it without a resolution
    with pytest.raises(ValidationError) as error:
        transition(
            workflow=TICKET_FLOW,
            actor=actor_for(people.worker),
            obj_or_pk=ticket.pk,
            action="finish",
            data={"resolution": "  "},
        )
    # then: refused with the guard's message; no state, timeline or audit change
    assert (error.value.message, error.value.field) == ("办结前请填写办理结果。", "resolution")
    _unchanged(ticket, S.ACCEPTED)
    assert Ticket.objects.get(pk=ticket.pk).resolution == ""


def test_out_of_scope_actor_is_refused(people, tree):
    # given: a ticket of 站前社区 and one of 铁塔社区 (another street)
    ticket = _ticket(tree)
    far = Ticket.objects.create(
        title="井盖松动", district=tree.far_community.district, community=tree.far_community
    )
    # when: a worker of 利民社区 acts on the first; the 站前社区 worker on the second
    for user, target in ((people.other_worker, ticket), (people.worker, far)):
        with pytest.raises(PermissionDenied) as error:
            transition(
                workflow=TICKET_FLOW, actor=actor_for(user), obj_or_pk=target.pk, action="accept"
            )
        assert error.value.message == "该测试事项不在您的管辖范围内。"
    # then: nothing changed
    _unchanged(ticket, S.OPEN)
    _unchanged(far, S.OPEN)


def test_unknown_action_and_missing_row(people, tree):
    ticket = _ticket(tree)
    actor = actor_for(people.worker)
    with pytest.raises(ValidationError) as error:
        transition(workflow=TICKET_FLOW, actor=actor, obj_or_pk=ticket.pk, action="explode")
    assert error.value.message == "没有“explode”这项操作。"
    with pytest.raises(NotFound):
        transition(workflow=TICKET_FLOW, actor=actor, obj_or_pk=ticket.pk + 1000, action="accept")
    _unchanged(ticket, S.OPEN)


def test_available_lists_what_the_actor_may_do_now(people, tree):
    ticket = _ticket(tree)
    worker, admin = actor_for(people.worker), actor_for(people.district_admin)
    assert [t.action for t in TICKET_FLOW.available(ticket, worker)] == ["accept"]
    # the district admin holds region.manage but not resident.change
    assert [t.action for t in TICKET_FLOW.available(ticket, admin)] == ["close"]
    assert TICKET_FLOW.available(ticket, actor_for(people.other_worker)) == []
    ticket.status = S.DONE
    assert TICKET_FLOW.available(ticket, worker) == []


def test_workflow_table_is_checked_when_declared():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            name="x",
            model=Ticket,
            transitions=[
                Transition(
                    "a",
                    sources=["nowhere"],
                    target=S.OPEN,
                    label="甲",
                    permission="resident.change",
                )
            ],
        )
    with pytest.raises(ValueError, match="unknown permission"):
        Workflow(
            name="x",
            model=Ticket,
            transitions=[
                Transition("a", sources=[S.OPEN], target=S.DONE, label="甲", permission="nope")
            ],
        )
    with pytest.raises(ValueError, match="duplicate action"):
        t = Transition(
            "a", sources=[S.OPEN], target=S.DONE, label="甲", permission="resident.change"
        )
        Workflow(name="x", model=Ticket, transitions=[t, t])


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_exactly_one_wins(people, tree):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers and has no row locks; the race is a PostgreSQL test")
    # given: one open ticket, two workers' requests arriving together
    ticket = _ticket(tree)
    actor = actor_for(people.worker)
    # Earlier (rolled-back) tests may have cached a content type id that this
    # committed database never saw: look it up afresh, committed, before the race.
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_model(Ticket)
    LOCKED.clear()
    RELEASE.clear()
    outcomes: dict[str, str] = {}

    def take(name: str, hold: bool) -> None:
        try:
            transition(
                workflow=TICKET_FLOW,
                actor=actor,
                obj_or_pk=ticket.pk,
                action="accept",
                data={"hold": hold},
                note=name,
            )
            outcomes[name] = "ok"
        except Conflict as error:
            outcomes[name] = error.message
        finally:
            connection.close()

    try:
        # when: A holds the row lock (paused inside its guard) while B asks too
        a = threading.Thread(target=take, args=("A", True))
        a.start()
        assert LOCKED.wait(5)
        b = threading.Thread(target=take, args=("B", False))
        b.start()
        b.join(0.5)
        assert b.is_alive()  # B waits on A's row lock
        RELEASE.set()
        a.join(10)
        b.join(10)
        # then: exactly one wins; the other re-reads the new state and gets a Conflict
        assert outcomes == {"A": "ok", "B": "该事项当前状态为“已受理”，不能执行“受理”。"}
        assert TimelineEvent.objects.filter(object_id=ticket.pk, action="accept").count() == 1
        assert AuditRecord.objects.filter(action="ticket.accept").count() == 1
        ticket.refresh_from_db()
        assert ticket.status == S.ACCEPTED
    finally:
        Ticket.objects.all().delete()  # flush does not reach an unmanaged table
