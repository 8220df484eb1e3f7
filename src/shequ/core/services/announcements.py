"""Writes of 通知公告: the district or a street publishes to a scope it holds;
each reader's first opening is their read receipt."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import Announcement, AnnouncementRead, Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.selectors import district_id_of
from shequ.core.text import clean_text
from shequ.core.workbench import announcement_get


def announcement_publish(
    *, actor: Actor, region_id: object, title: object, body: object, important: bool = False
) -> Announcement:
    """Publish to everyone whose grant lies in ``region_id``'s subtree (the
    district, a street or a community the publisher's grant covers)."""
    actor.require("announcement.publish")
    user = actor.require_user()
    try:
        target_id = int(str(region_id))
    except ValueError:
        raise ValidationError("请选择发送范围。", field="region") from None
    target = Region.objects.filter(pk=target_id).first()
    if target is None or target.level > RegionLevel.COMMUNITY:
        raise ValidationError("发送范围只能是区、街道或社区。", field="region")
    if not actor.covers(target):
        raise PermissionDenied("只能向您管辖范围内的区划发布通知公告。")
    clean_title = clean_text(title, field="title", label="标题", max_length=100, single_line=True)
    clean_body = clean_text(body, field="body", label="正文", max_length=5000)
    publisher = actor.region.name if actor.region is not None else ""
    with transaction.atomic():
        announcement = Announcement.objects.create(
            district_id=district_id_of(target),
            region=target,
            title=clean_title,
            body=clean_body,
            important=bool(important),
            published_at=timezone.now(),
            published_by=user,
            publisher_label=f"{publisher}{actor.role_label}"[:80],
        )
        record(
            actor=actor,
            action="announcement.publish",
            obj=announcement,
            region=target,
            changes={"title": clean_title, "region": target.name, "important": bool(important)},
        )
    return announcement


def announcement_read(*, actor: Actor, announcement_id: int) -> Announcement:
    """Open an announcement that reaches the actor; the first opening writes
    the read receipt."""
    user = actor.require_user()
    announcement = announcement_get(actor=actor, announcement_id=announcement_id)
    with transaction.atomic():
        _, created = AnnouncementRead.objects.get_or_create(
            announcement=announcement,
            user=user,
            district_id=announcement.district_id,
            defaults={"read_at": timezone.now()},
        )
        if created:
            record(actor=actor, action="announcement.read", obj=announcement, changes={})
    return announcement
