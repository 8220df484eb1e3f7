"""The one check of a free-text input: trimmed, required or not, not too long,
and free of the markup its field refuses.

The options exist because the apps grew three wordings and three markup rules
that people and tests now rely on, and a field's message must not change under
its users:

- ``too_long``: "…不能超过N个字。" (``TOO_LONG``, whistles and Open311),
  "…不能超过N字。" (``TOO_LONG_SHORT``, appeals and the desk's cases; the
  appeal tests assert it), "…最多N个字。" (``AT_MOST``, the desk's catalog),
  or the caller's own template (API token names).
- ``markup``: ``"angle_brackets"`` (the default, the strictest: a caller that
  forgets the option fails closed) refuses any ``<`` or ``>`` (whistles,
  Open311 client names); ``"tags"`` refuses only HTML tags, so "3<5" stays
  possible in an appeal, which residents write and read as plain text;
  ``"allowed"`` checks nothing (the desk's catalog and cases, whose
  templates escape on output and whose fields have never refused it).
- ``single_line``: runs of whitespace, newlines included, become one space
  (catalog names and departments, which show on one line in lists and sheets).
- ``missing``: the "please fill in" message, for a field whose hint says more
  than its label (an Open311 client's name, an API token's).

Whatever the options, text that is not text is refused: control characters
(tab and line breaks aside), the bidirectional overrides and isolates that
make "txt.exe" read as "exe.txt" (U+202A–U+202E, U+2066–U+2069), and U+FFFD,
which is what a form's bytes that were not UTF-8 decode to.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from shequ.core.errors import ValidationError

Markup = Literal["allowed", "tags", "angle_brackets"]

MISSING = "请填写{label}。"
TOO_LONG = "{label}不能超过{max_length}个字。"
TOO_LONG_SHORT = "{label}不能超过{max_length}字。"
AT_MOST = "{label}最多{max_length}个字。"

# Control characters (tab, LF and CR are text), bidi overrides and isolates,
# and the replacement character of undecodable input.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd]")

# A tag-like "<x…>" or "</x>" or "<!…>".
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")


def clean_text(
    value: Any,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    single_line: bool = False,
    markup: Markup = "angle_brackets",
    too_long: str = TOO_LONG,
    missing: str = MISSING,
) -> str:
    """``value`` as trimmed text ("" for None), or a ValidationError on ``field``
    whose message names the field by ``label``."""
    text = str(value or "")
    refuse_not_text(text, field=field, label=label)
    text = " ".join(text.split()) if single_line else text.strip()
    if required and not text:
        raise ValidationError(missing.format(label=label), field=field)
    if len(text) > max_length:
        raise ValidationError(too_long.format(label=label, max_length=max_length), field=field)
    if markup == "tags" and _HTML_TAG.search(text):
        raise ValidationError(f"{label}只能是纯文字，不能包含HTML标签。", field=field)
    if markup == "angle_brackets" and ("<" in text or ">" in text):
        raise ValidationError(f"{label}不能包含尖括号。", field=field)
    return text


def refuse_not_text(text: str, *, field: str, label: str) -> None:
    """Refuse control, bidi-override and replacement characters (see above)."""
    if _NOT_TEXT.search(text):
        raise ValidationError(
            f"{label}含有无法显示的控制字符或乱码，请删除后重新输入。", field=field
        )
