"""What the desk's two sheets (一次性告知单, 受理回执) share beyond
``shequ.core.pdf``: the wording of an item's time limit."""

from __future__ import annotations


def time_limit_text(*, promised_days: int, legal_days: int, kind: str) -> str:
    """The item's time limit as both sheets print it; an item promised in 0
    working days is a 即办件 (``kind``: the version's kind label)."""
    promise = (
        f"材料齐全受理后{promised_days}个工作日内办结"
        if promised_days
        else "即办件，材料齐全即可当场办结"
    )
    return promise + f"（法定时限{legal_days}个工作日，{kind}）"
