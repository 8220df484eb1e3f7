"""Requests whose text is not UTF-8 are refused before any view runs.

Django decodes a form body, a query string and multipart text fields with
``errors="replace"``: bytes that are not UTF-8 become U+FFFD and the view
would store them as if typed. ``UndecodableBodyMiddleware`` answers such a
request with a 400 in Chinese instead (JSON for the API, the error page for
pages); nothing is read further and nothing is written. The text check of
every field (``core.text.refuse_not_text``) also refuses U+FFFD, for text
that arrives some other way.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from shequ.core.errors import DomainError

MESSAGE = (
    "提交的内容不是有效的 UTF-8 文本（可能是编码错误或文件损坏），未做任何处理。请检查后重新提交。"
)
_REPLACEMENT = "\ufffd"


def _percent_encoded_ok(raw: str) -> bool:
    try:
        parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return False
    except ValueError:
        return True  # malformed pairs: the view's own parsing answers those
    return True


def undecodable(request: HttpRequest) -> bool:
    """Whether the query string or the body carries bytes that are not UTF-8."""
    query = request.META.get("QUERY_STRING", "")
    if query and not _percent_encoded_ok(query):
        return True
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return False
    kind = request.content_type or ""
    if kind == "application/x-www-form-urlencoded":
        body = request.body
        return not _percent_encoded_ok(body.decode("latin-1")) or not _utf8(body)
    if kind == "application/json" or kind.endswith("+json"):
        return not _utf8(request.body)
    if kind == "multipart/form-data":
        try:
            fields = request.POST
        except MultiPartParserError:
            return False  # a broken multipart body: the view's form refuses it
        return any(_REPLACEMENT in value for values in fields.lists() for value in values[1])
    return False


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class UndecodableBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if undecodable(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return render(request, "core/error.html", {"error": DomainError(MESSAGE)}, status=400)
        return self.get_response(request)
