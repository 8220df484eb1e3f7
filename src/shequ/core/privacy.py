"""The erasure of a resident's personal data (PIPL), core's part: what every
app's erasure hook (``core.registry.register_erasure_hook``) uses to clear
the texts written about the resident's rows, and core's own hook for the
text messages sent to the resident's phone.

``redact`` replaces the person's name and numbers in a text or a JSON value;
``timeline_redact`` does it in the timeline events of an app's rows (their
labels and notes were written from the rows: "邀请参会：王芳"). The timeline,
unlike the hash-chained audit trail, may be corrected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shequ.core import pii
from shequ.core.models import OutboxMessage, TimelineEvent
from shequ.core.models.workbench import OutboxChannel, OutboxState
from shequ.core.registry import ErasureSubject

ERASED_TEXT = "（已删除）"


def redactions(subject: ErasureSubject) -> dict[str, str]:
    """What to replace, longest first: the ID and phone numbers, and the name
    (a one-character name is left alone: it would hit every other word)."""
    found = {subject.id_number: ERASED_TEXT, subject.phone: ERASED_TEXT}
    if len(subject.name) >= 2:
        found[subject.name] = subject.erased_name
    return {k: found[k] for k in sorted(found, key=len, reverse=True) if k}


def redact(value: Any, replace: Mapping[str, str]) -> Any:
    """``value`` (text, or a JSON value) with every key of ``replace`` replaced."""
    if isinstance(value, str):
        for secret, by in replace.items():
            value = value.replace(secret, by)
        return value
    if value is None or not replace:
        return value
    text = json.dumps(value, ensure_ascii=False)
    escaped = {_json_text(k): _json_text(v) for k, v in replace.items()}
    cleaned = redact(text, escaped)
    return value if cleaned == text else json.loads(cleaned)


def _json_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def timeline_redact(
    model: type[models.Model], object_ids: Iterable[Any], replace: Mapping[str, str]
) -> int:
    """Redact the timeline events of ``model``'s rows ``object_ids``; returns
    how many events changed."""
    ids = [str(pk) for pk in object_ids]
    if not ids or not replace:
        return 0
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).only("pk", "action_label", "note", "data")
    changed = []
    for event in events:
        label = redact(event.action_label, replace)
        note = redact(event.note, replace)
        data = redact(event.data, replace)
        if (label, note, data) != (event.action_label, event.note, event.data):
            event.action_label, event.note, event.data = label, note, data
            changed.append(event)
    TimelineEvent.objects.bulk_update(changed, ["action_label", "note", "data"], batch_size=500)
    return len(changed)


def erase_sms(subject: ErasureSubject) -> Mapping[str, int]:
    """Text messages to the resident's phone. The outbox keeps a phone only
    encrypted and masked, with no blind index: the mask narrows the
    candidates, the ciphertext decides. A message keeps its kind, dates and
    status; one not yet sent is given up."""
    phone = subject.unlinked_phone
    if not phone:
        return {}
    candidates = OutboxMessage.objects.filter(
        district_id=subject.district_id,
        channel=OutboxChannel.SMS,
        recipient__isnull=True,
        address_masked=pii.mask_phone(phone),
    ).values_list("pk", "address_enc")
    mine = [pk for pk, blob in candidates if blob and pii.decrypt(blob) == phone]
    if not mine:
        return {}
    rows = OutboxMessage.objects.filter(pk__in=mine)
    rows.filter(status=OutboxState.PENDING).update(
        status=OutboxState.FAILED, last_error="收件人的个人信息已按保存期限删除，不再发送。"
    )
    return {"sms": rows.update(address_enc=pii.encrypt(""), address_masked="")}
