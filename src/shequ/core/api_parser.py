"""The API's request parser: django-ninja's JSON parser, refusing the NUL
character (U+0000) anywhere in the query string or the body.

PostgreSQL can neither store nor compare text that holds a NUL (the query
fails: a 500), and the pages never meet one because Django's form fields
refuse it (``ProhibitNullCharactersValidator``); ninja's schemas do not, so
the API refuses it here, before any view runs, with a 422 in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from shequ.core.errors import ValidationError

NUL = "\x00"
MESSAGE = "请求中含有空字符（U+0000），不是有效的文本，未做任何处理。"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class TextParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # ninja turns any exception here into its 400 "Cannot parse request
        # body"; the error handler answers with this refusal, its cause.
        data = super().parse_body(request)
        if _holds_nul(data):
            raise ValidationError(MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        if any(NUL in key or _holds_nul(values) for key, values in data.lists()):
            raise ValidationError(MESSAGE)
        return super().parse_querydict(data, list_fields, request)
