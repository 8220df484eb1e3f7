"""GeoReport v2 on the wire: JSON and XML bodies and the error format.

XML is what the spec requires, JSON follows from it by the Spark
convention: a list of ``<service>`` elements under ``<services>`` is a JSON
array of objects, ``<attributes>`` holds ``<attribute>`` elements, and so on.
Both carry the same fields in the same order; an empty value is an empty
element in XML and ``null`` in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - builds XML, never parses

from django.http import HttpResponse

FORMATS = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# A list under a name holds elements of this name (``<values><value>``…).
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


class Open311Error(Exception):
    """A refusal in the spec's error format: HTTP ``status``, one or more
    ``(code, description)`` pairs, descriptions in Chinese."""

    def __init__(self, status: int, description: str, *, headers: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list | tuple):
        child = LIST_ITEMS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, child), inner)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> str:
    element = ET.Element(root)
    _fill(element, value)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` is a list (of services, requests…) or one object (the
    service definition); ``root`` names the XML root element."""
    body = to_xml(root, value) if fmt == "xml" else to_json(value)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def respond_error(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": error.description}]
    response = respond(fmt, "errors", errors, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
