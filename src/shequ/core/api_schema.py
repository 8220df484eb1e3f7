"""What the OpenAPI schema says about refusals and fixed choices.

Every refusal answers ``{"detail": "…"}`` in Chinese (``install_error_handlers``
in ``api_auth``); an operation lists the statuses it can answer with
``refusals``::

    @router.get("/cases/{int:case_id}", response={200: CaseDetailOut, **refusals(404)})

A query or path parameter of a read with a fixed set of values is a
``choice``: the schema shows it as an enum, an empty value counts as not
given, and any other value is refused with the parameter's own Chinese
message (422, naming it) before the view runs. A write's fixed choices (its
body fields, the action in its path) are ``listed``: the schema shows the
enum and the service (or the view) keeps the check, so the refusal is
audited like every other refused write.

An id in a query filter is an ``Id``: bounded like a database key, so a
huge one is a 422 rather than an overflow in the lookup.
"""

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema
from pydantic import Field as Bounds
from pydantic_core import PydanticCustomError

# A positive database key (a bigint). Past that, a filter on a foreign key
# overflows the column (a 500) instead of finding nothing.
ID_MAX = 2**63 - 1
Id = Annotated[int, Bounds(ge=1, le=ID_MAX)]
IdOrZero = Annotated[int, Bounds(ge=0, le=ID_MAX)]  # a filter where 0 means "none"

CHOICE_ERROR = "choice"  # the pydantic error type a refused choice carries

# Every operation is authenticated (token or session) and checks a permission
# (a session's unsafe request also its CSRF token); every parameter is validated.
ALWAYS = (401, 403, 422)


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")
    field: str | None = Field(None, description="出错的字段（有时给出）")
    errors: list[Any] | None = Field(None, description="逐项的错误（有时给出）")


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """401, 403 and 422, and ``statuses`` (400: a body that is not JSON; 404:
    an id not found or out of scope; 409: the object's state does not allow
    it; 429: too many attempts), each answered with ``ErrorOut``."""
    return dict.fromkeys(sorted({*ALWAYS, *statuses}), ErrorOut)


def choice(values: Iterable[str | int], message: str) -> Any:
    """The type of an optional parameter that takes one of ``values`` (None
    when absent or empty). Integer choices also accept their digits, as a
    query string sends them."""
    allowed = tuple(dict.fromkeys(values))
    numbers = all(isinstance(v, int) for v in allowed)

    def check(value: object) -> object:
        if value is None or value == "":
            return None
        if numbers and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if value not in allowed or isinstance(value, bool):
            raise PydanticCustomError(CHOICE_ERROR, message)
        return value

    return Annotated[Literal[allowed] | None, BeforeValidator(check)]


def listed(values: Iterable[str | int], *, blank: bool = False) -> dict[str, Any]:
    """``json_schema_extra`` for a write's field whose service checks the
    value: the schema lists ``values`` (and "" for "not given" when
    ``blank``)."""
    return {"enum": [*([""] if blank else []), *dict.fromkeys(values)]}


def listed_str(values: Iterable[str]) -> Any:
    """The type of a write's path parameter the view checks: a string the
    schema shows as one of ``values``."""
    return Annotated[str, WithJsonSchema({"type": "string", **listed(values)})]
