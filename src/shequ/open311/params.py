"""Reading GeoReport v2 arguments: formats, w3 datetimes, comma lists,
``attribute[code]=value`` pairs and lat/long. Everything here refuses with
an ``Open311Error`` (400) whose description says, in Chinese, what to fix."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils import timezone

from shequ.open311.wire import FORMATS, Open311Error

WINDOW_DAYS = 90  # the spec's default window, and the longest one a query may span
MAX_RESULTS = 1000  # the spec's default volume
MAX_IDS = 1000
DESCRIPTION_MAX = 4000  # the spec's limit for a description
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")  # a tag, as the appeals service sees one


def bad(description: str) -> Open311Error:
    return Open311Error(400, description)


def response_format(fmt: str) -> str:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise bad(f"不支持的格式“{fmt[:10]}”，请使用 .xml 或 .json。")
    return fmt


def text(data: QueryDict, name: str, *, limit: int = 200) -> str:
    """An optional argument: empty and absent are the same (the spec says so)."""
    value = (data.get(name) or "").strip()
    if len(value) > limit:
        raise bad(f"{name} 不能超过{limit}个字符。")
    return value


def csv(data: QueryDict, name: str) -> list[str]:
    """A comma-delimited argument that may also be declared several times."""
    out: list[str] = []
    for value in data.getlist(name):
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def w3_datetime(value: str, name: str) -> dt.datetime:
    """2010-01-01T00:00:00Z or with an offset; a date or a time without a
    zone is read as Beijing time."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise bad(f"{name} 格式不正确，应为 w3 格式，例如 2026-01-01T00:00:00+08:00。") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@dataclass
class RequestFilters:
    """What ``GET requests`` asks for. ``ids`` overrides everything else."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def request_filters(data: QueryDict) -> RequestFilters:
    ids = csv(data, "service_request_id")
    if ids:
        if len(ids) > MAX_IDS:
            raise bad(f"service_request_id 一次最多{MAX_IDS}个。")
        return RequestFilters(ids=ids)
    statuses = set(csv(data, "status"))
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise bad("status 只能是 open 或 closed。")
    start_raw, end_raw = text(data, "start_date", limit=40), text(data, "end_date", limit=40)
    start = w3_datetime(start_raw, "start_date") if start_raw else None
    end = w3_datetime(end_raw, "end_date") if end_raw else None
    window = dt.timedelta(days=WINDOW_DAYS)
    if start and end:
        if start > end:
            raise bad("start_date 不能晚于 end_date。")
        if end - start > window:
            raise bad(f"start_date 到 end_date 不能超过{WINDOW_DAYS}天。")
    elif start:
        end = start + window
    elif end:
        start = end - window
    else:
        end = timezone.now()
        start = end - window
    return RequestFilters(
        service_codes=csv(data, "service_code"), statuses=statuses, start=start, end=end
    )


def _coordinate(raw: str, name: str, limit: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise bad(f"{name} 必须是数字（WGS84 坐标）。") from None
    if not value.is_finite():
        raise bad(f"{name} 必须是数字（WGS84 坐标）。")
    if not -limit <= value <= limit:
        raise bad(f"{name} 超出范围，应在 -{limit} 到 {limit} 之间。")
    return value.quantize(Decimal("0.000001"))


@dataclass
class Submission:
    """A ``POST requests`` as sent, checked for form only; what the values
    mean (which community, which kind) is checked by the service."""

    service_code: str
    lat: Decimal | None
    long: Decimal | None
    address_string: str
    address_id: str
    attributes: dict[str, list[str]]
    description: str
    first_name: str
    last_name: str
    phone: str
    account_id: str
    media_url: str

    @property
    def has_location(self) -> bool:
        return self.lat is not None or bool(self.address_string or self.address_id)

    @property
    def contact_name(self) -> str:
        # Chinese order: family name first, no space between.
        return (self.last_name + self.first_name).strip()


def attributes(data: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value, and attribute[code][]=v1&attribute[code][]=v2 for
    a multivaluelist."""
    out: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match is None:
            if key.startswith("attribute"):
                raise bad(f"无法识别的参数“{key[:40]}”，应为 attribute[代码]=值。")
            continue
        values = [v.strip() for v in data.getlist(key) if v.strip()]
        out.setdefault(match.group(1), []).extend(values)
    return out


def submission(data: QueryDict) -> Submission:
    code = text(data, "service_code", limit=64)
    if not code:
        raise bad("缺少 service_code。")
    lat_raw, long_raw = text(data, "lat", limit=40), text(data, "long", limit=40)
    if bool(lat_raw) != bool(long_raw):
        raise bad("lat 和 long 必须同时提供。")
    lat = _coordinate(lat_raw, "lat", 90) if lat_raw else None
    long = _coordinate(long_raw, "long", 180) if long_raw else None
    description = (data.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise bad(f"description 不能超过{DESCRIPTION_MAX}个字符。")
    if _HTML.search(description):
        raise bad("description 不能包含 HTML 或代码，请只填写文字。")
    return Submission(
        service_code=code,
        lat=lat,
        long=long,
        address_string=text(data, "address_string"),
        address_id=text(data, "address_id", limit=24),
        attributes=attributes(data),
        description=description,
        first_name=text(data, "first_name", limit=40),
        last_name=text(data, "last_name", limit=40),
        phone=text(data, "phone", limit=20),
        account_id=text(data, "account_id", limit=64),
        media_url=text(data, "media_url", limit=500),
    )
