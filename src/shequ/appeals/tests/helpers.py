"""Shortcuts for raising appeals in tests through the services."""

from __future__ import annotations

from shequ.appeals.models import Appeal
from shequ.appeals.services import appeal_create


def raise_appeal(actor, community, **overrides) -> Appeal:
    """A resident's phone appeal (or, for a staff actor, one at the window)."""
    staff = actor.can("appeal.create")
    data = {
        "kind": "complaint",
        "category": "noise",
        "description": "楼下饭店每天深夜营业，噪音很大，影响休息。",
        "channel": "window" if staff else "phone",
        "contact_name": "王秀兰" if staff else "",
        "contact_phone": "13840001234" if staff else "",
    } | overrides
    return appeal_create(actor=actor, community=community, **data)


def appeal_page_args(tree, people) -> dict[str, int]:
    """URL kwargs of the appeal pages for core's every-page test: an appeal of
    the test community and a photo row (its file absent: the view says 404)."""
    from shequ.appeals.models import AppealPhoto
    from shequ.core.scope import Actor

    appeal = raise_appeal(Actor.for_user(people.worker), tree.community)
    photo = AppealPhoto.objects.create(
        appeal=appeal,
        district_id=appeal.district_id,
        community_id=appeal.community_id,
        file="appeals/00/missing.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
    )
    return {"appeal_id": appeal.pk, "photo_id": photo.pk}
