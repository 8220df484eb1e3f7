"""Writes of Open311: issuing and revoking a client's api_key, counting a
client's requests for its rate limit, and turning a ``POST requests`` into
an appeal (诉求) or an online case application (网上申请).

The appeal or case is written by its own app's service (``appeal_receive``,
``case_receive_online``), audited as the command ``open311:<client>``; the
submission row that records which client posted it commits with it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shequ.appeals.services import appeal_receive
from shequ.core import throttle
from shequ.core.errors import ValidationError
from shequ.core.history import record
from shequ.core.keys import key_issue, key_of
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.selectors import district_of
from shequ.core.text import clean_text
from shequ.desk.cases.services import case_receive_online
from shequ.open311 import mapping, selectors
from shequ.open311.models import Open311Client, Open311RateCount, Open311Submission, SubmissionKind
from shequ.open311.params import Submission
from shequ.open311.wire import Open311Error

KEY_PREFIX = "o311_"
NAME_MAX = 60
RATE_MAX = 10_000
RATE_KEEP = dt.timedelta(hours=1)  # older per-minute counters are dropped
DISTRICT_ONLY = "接入客户端由区级管理员管理。"


def source_of(client: Open311Client) -> str:
    """How the audit trail and the appeal's ``source`` name the client."""
    return f"open311:{client.name}"[:64]


# -- clients (open311.manage) -----------------------------------------------------------------


def _clean_name(name: str) -> str:
    return clean_text(
        name,
        field="name",
        label="客户端名称",
        max_length=NAME_MAX,
        markup="angle_brackets",
        missing="请填写客户端名称（例如“12345热线”）。",
    )


@transaction.atomic
def client_create(
    *, actor: Actor, name: str, rate_per_minute: int = 60
) -> tuple[Open311Client, str]:
    """A new client of the actor's district. The raw api_key is returned
    once and never stored."""
    actor.require("open311.manage")
    name = _clean_name(name)
    if not 1 <= rate_per_minute <= RATE_MAX:
        raise ValidationError(f"每分钟请求上限应在1到{RATE_MAX}之间。", field="rate_per_minute")
    district = district_of(actor=actor, district_grant_only=DISTRICT_ONLY)
    key = key_issue(KEY_PREFIX)
    client = Open311Client.objects.create(
        district=district,
        name=name,
        key_prefix=key.prefix,
        key_digest=key.digest,
        rate_per_minute=rate_per_minute,
        created_by=actor.require_user(),
    )
    record(
        actor=actor,
        action="open311.client_create",
        obj=client,
        region=district,
        changes={"name": name, "prefix": client.key_prefix, "rate_per_minute": rate_per_minute},
    )
    return client, key.raw


@transaction.atomic
def client_revoke(*, actor: Actor, client: Open311Client) -> Open311Client:
    actor.require("open311.manage")
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if client.district_id != district_of(actor=actor, district_grant_only=DISTRICT_ONLY).pk:
        raise ValidationError("只能收回本区的接入客户端。")
    if client.revoked_at is not None:
        raise ValidationError("该客户端的密钥已收回。")
    client.revoked_at = timezone.now()
    client.revoked_by = actor.require_user()
    client.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor=actor,
        action="open311.client_revoke",
        obj=client,
        region=client.district,
        changes={"prefix": client.key_prefix},
    )
    return client


def client_ensure(*, district: Region, name: str, raw_key: str, command: str) -> bool:
    """A client holding ``raw_key`` exists (the demo's well-known key);
    True when it had to be created. Run inside the caller's transaction."""
    key = key_of(raw_key)
    if Open311Client.objects.filter(key_digest=key.digest).exists():
        return False
    client = Open311Client.objects.create(
        district=district, name=_clean_name(name), key_prefix=key.prefix, key_digest=key.digest
    )
    record(
        actor=Actor.for_command(command),
        action="open311.client_create",
        obj=client,
        region=district,
        changes={"name": client.name, "prefix": client.key_prefix},
    )
    return True


# -- rate limit -------------------------------------------------------------------------------


def _rate_bump(client: Open311Client, minute: dt.datetime) -> int:
    """One more request of ``client`` in ``minute``; the minute's new count.
    Runs in its own transaction so a refused request still counts."""
    row = Open311RateCount.objects.filter(
        client=client, minute=minute, district_id=client.district_id
    )
    with transaction.atomic():
        if not row.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    Open311RateCount.objects.create(
                        client=client, district_id=client.district_id, minute=minute, count=1
                    )
            except IntegrityError:  # another request of the same minute got there first
                row.update(count=F("count") + 1)
            else:
                Open311RateCount.objects.filter(
                    client=client, minute__lt=minute - RATE_KEEP
                ).delete()
        return row.values_list("count", flat=True).get()


def rate_take(*, client: Open311Client) -> int | None:
    """Count one request of ``client`` in this minute. None when within its
    limit; else the seconds until the next minute (for Retry-After)."""
    decision = throttle.hit(
        lambda minute: _rate_bump(client, minute),
        limit=client.rate_per_minute,
        window_seconds=60,
    )
    return None if decision.allowed else decision.retry_after


# -- POST requests ----------------------------------------------------------------------------


def _single(attributes: dict[str, list[str]], code: str, label: str, *, required: bool) -> str:
    values = attributes.get(code, [])
    if len(values) > 1:
        raise Open311Error(400, f"attribute[{code}]（{label}）只能有一个值。")
    if required and not values:
        raise Open311Error(400, f"缺少必填属性 attribute[{code}]（{label}）。")
    return values[0] if values else ""


def _unknown(attributes: dict[str, list[str]], known: set[str]) -> None:
    extra = sorted(set(attributes) - known)
    if extra:
        raise Open311Error(400, f"该服务没有属性 attribute[{extra[0][:40]}]。")


def _pick(regions: list[Region], code: str) -> Region:
    for region in regions:
        if region.code == code:
            return region
    raise Open311Error(400, f"attribute[community]“{code[:24]}”不是该服务可选的社区。")


def _place_label(district: Region, community: Region, address_id: str) -> str:
    """address_id is a region code (小区/楼栋/单元) inside the chosen community."""
    place = (
        Region.objects.filter(district=district, code=address_id, level__gt=RegionLevel.COMMUNITY)
        .select_related("compound", "building")
        .first()
    )
    if place is None or place.community_id != community.pk:
        raise Open311Error(400, f"address_id“{address_id}”不是所选社区内的小区、楼栋或单元代码。")
    parts = [place.compound, place.building, place]
    names: list[str] = []
    for region in parts:
        if region is not None and region.name not in names:
            names.append(region.name)
    return "".join(names)


def _appeal(client: Open311Client, category: str, data: Submission) -> tuple[str, str]:
    district = client.district
    _unknown(data.attributes, {mapping.ATTR_COMMUNITY, mapping.ATTR_KIND})
    code = _single(data.attributes, mapping.ATTR_COMMUNITY, "社区", required=True)
    community = selectors.community_by_code(district, code)
    if community is None:
        raise Open311Error(400, f"attribute[community]“{code[:24]}”不是该服务可选的社区。")
    kind = _single(data.attributes, mapping.ATTR_KIND, "诉求类型", required=True)
    if not data.has_location:
        raise Open311Error(400, "请提供位置：lat 和 long，或 address_string，或 address_id。")
    address = data.address_string
    if data.address_id:
        address = (_place_label(district, community, data.address_id) + " " + address).strip()
    appeal = appeal_receive(
        source=source_of(client),
        community=community,
        kind=kind,
        category=category,
        description=data.description,
        address=address[:200],
        contact_name=data.contact_name,
        contact_phone=data.phone,
        lat=data.lat,
        long=data.long,
    )
    return appeal.number, mapping.appeal_notice(appeal)


def _case(client: Open311Client, item_code: str, data: Submission) -> tuple[str, str]:
    found = selectors.item_service(district=client.district, code=item_code)
    fields = {mapping.FORM_PREFIX + f["name"]: f["name"] for f in found.version.form_fields}
    _unknown(
        data.attributes,
        {mapping.ATTR_COMMUNITY, mapping.ATTR_ID_NUMBER, mapping.ATTR_MATERIALS, *fields},
    )
    community = _pick(
        found.communities,
        _single(data.attributes, mapping.ATTR_COMMUNITY, "社区", required=True),
    )
    id_number = _single(data.attributes, mapping.ATTR_ID_NUMBER, "身份证号", required=True)
    form = {
        name: _single(data.attributes, code, name, required=False) for code, name in fields.items()
    }
    case = case_receive_online(
        source=source_of(client),
        community=community,
        item=found.item,
        applicant_name=data.contact_name,
        id_number=id_number,
        phone=data.phone,
        provided=data.attributes.get(mapping.ATTR_MATERIALS, []),
        form_data={k: v for k, v in form.items() if v},
    )
    return case.receipt_no, mapping.case_notice(case)


@transaction.atomic
def request_submit(*, client: Open311Client, data: Submission) -> dict[str, Any]:
    """One ``POST requests``: the appeal or the case, and the submission row.
    Returns the spec's response object under ``request`` (the services are
    realtime: the id, no token in the body) and the submission's ``token``."""
    code = mapping.parse_service_code(data.service_code)
    if code is None:
        raise Open311Error(404, f"service_code“{data.service_code[:60]}”不存在。")
    if code.kind == "appeal":
        number, notice = _appeal(client, code.value, data)
        kind = SubmissionKind.APPEAL
    else:
        number, notice = _case(client, code.value, data)
        kind = SubmissionKind.CASE
    token = secrets.token_hex(16)
    Open311Submission.objects.create(
        district=client.district,
        client=client,
        token=token,
        kind=kind,
        service_code=str(code),
        service_request_id=number,
        created_at=timezone.now(),
    )
    response = {
        "service_request_id": number,
        "service_notice": notice or None,
        "account_id": data.account_id or None,
    }
    return {"request": response, "token": token}
