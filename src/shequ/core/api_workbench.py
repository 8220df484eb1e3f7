"""The workbench and the notification centre over the API (a phone app, the
政务微信 work bench): the same selectors and services as the pages.

No ``from __future__ import annotations`` here: ``@paginate`` (see
``core/api_pages.py``)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from shequ.core import workbench
from shequ.core.api_auth import require
from shequ.core.api_pages import Pages
from shequ.core.api_schema import refusals
from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError
from shequ.core.services import notifications as notification_services

router = Router(tags=["工作台"])


class WorkbenchLineOut(Schema):
    label: str
    count: int
    url: str
    level: str
    due: dt.date | None
    due_text: str


class WorkbenchItemOut(Schema):
    title: str
    url: str
    note: str
    due: dt.date | None
    due_text: str


class WorkbenchCommunityOut(Schema):
    community_id: int
    name: str
    overdue: int


class WorkbenchOut(Schema):
    todos: list[WorkbenchLineOut]
    alerts: list[WorkbenchLineOut]
    nearest: list[WorkbenchItemOut]  # the nearest deadlines, one click from their pages
    communities: list[WorkbenchCommunityOut]
    unread_notifications: int


def _line(line: workbench.DueLine) -> WorkbenchLineOut:
    t = line.todo
    return WorkbenchLineOut(
        label=t.label, count=t.count, url=t.url, level=t.level, due=t.due, due_text=line.due_text
    )


@router.get(
    "/workbench",
    response={200: WorkbenchOut, **refusals()},
    summary="我的工作台：待办、预警、最紧迫事项",
)
def workbench_get(request: HttpRequest):
    actor = require(request, "home.view")
    bench = workbench.workbench_for(actor=actor)
    return WorkbenchOut(
        todos=[_line(line) for line in bench.todos],
        alerts=[_line(line) for line in bench.alerts],
        nearest=[
            WorkbenchItemOut(
                title=i.item.title,
                url=i.item.url,
                note=i.item.note,
                due=i.item.due,
                due_text=i.due_text,
            )
            for i in bench.items
        ],  # fmt: skip
        communities=[
            WorkbenchCommunityOut(
                community_id=c.community.pk, name=c.community.name, overdue=c.overdue
            )
            for c in bench.communities
        ],
        unread_notifications=workbench.unread_count(actor=actor),
    )


class NotificationOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationUnreadOut(Schema):
    unread: int


@router.get(
    "/notifications", response={200: list[NotificationOut], **refusals()}, summary="我的通知"
)
@paginate(Pages)
def notifications(request: HttpRequest, unread: bool = False):
    actor = require(request, "home.view")
    return workbench.notification_list(actor=actor, unread_only=unread)


@router.get(
    "/notifications/unread-count",
    response={200: NotificationUnreadOut, **refusals()},
    summary="未读通知数",
)
def notifications_unread(request: HttpRequest):
    return NotificationUnreadOut(unread=workbench.unread_count(actor=require(request, "home.view")))


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **refusals(404)},
    summary="标为已读",
)
def notification_read(request: HttpRequest, notification_id: int):
    actor = require(request, "home.view")
    try:
        target = workbench.notification_target(actor=actor, notification_id=notification_id)
        return notification_services.notification_read(actor=actor, notification_id=target.pk)
    except DomainError as error:
        audit_refused(actor=actor, action="notification.read", message=error.message)
        raise


@router.post(
    "/notifications/read-all",
    response={200: NotificationUnreadOut, **refusals()},
    summary="全部标为已读",
)
def notifications_read_all(request: HttpRequest):
    actor = require(request, "home.view")
    notification_services.notifications_read_all(actor=actor)
    return NotificationUnreadOut(unread=workbench.unread_count(actor=actor))
