"""Masked display built from the stored clear columns, with no decryption:
the region code and the last four digits of an ID number, the first three and
last four digits of a phone number."""

from __future__ import annotations

from shequ.core.pii import mask_id_parts
from shequ.residents.models import Resident


def masked_id(resident: Resident) -> str:
    """110101********1234, or "" once the number is erased (保存期满)."""
    if not resident.id_number_tail:
        return ""
    return mask_id_parts(resident.id_region_code, resident.id_number_tail)


def masked_phone(resident: Resident) -> str:
    """138****5678, or "" when no phone is registered."""
    if not resident.phone_tail:
        return ""
    return f"{resident.phone_head}****{resident.phone_tail}"
