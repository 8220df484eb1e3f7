"""Re-encrypt the register under the current data key (key rotation).

Run with the web service stopped, with the new key as SHEQU_DATA_KEY (and its
SHEQU_DATA_KEY_VERSION) and the old one in SHEQU_DATA_KEYS_RETIRED. Each batch
is one transaction: rows are locked, decrypted with the key their ciphertext
names, encrypted with the current key and given fresh blind indexes. An
interrupted run is simply run again: finished rows are skipped. Erased
residents hold no number to re-encrypt and are skipped too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from shequ.core.history import record
from shequ.core.pii import blind_index, current_version, decrypt, encrypt, key_version_of
from shequ.core.scope import Actor
from shequ.residents.models import Resident

_FIELDS = ["id_number_enc", "id_number_index", "phone_enc", "phone_index"]


@dataclass(frozen=True)
class RekeyResult:
    checked: int
    rekeyed: int
    version: int


def _stale(resident: Resident, version: int) -> bool:
    if key_version_of(resident.id_number_enc) != version:
        return True
    phone = resident.phone_enc
    return phone is not None and len(phone) > 0 and key_version_of(phone) != version


def residents_rekey(*, actor: Actor, batch: int = 2000) -> RekeyResult:
    version = current_version()
    checked = rekeyed = 0
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(
                Resident.objects.select_for_update()
                .filter(pk__gt=last_id, erased_at__isnull=True)
                .order_by("pk")
                .only("pk", *_FIELDS)[:batch]
            )
            if not rows:
                break
            last_id = rows[-1].pk
            checked += len(rows)
            stale = [r for r in rows if _stale(r, version)]
            for r in stale:
                id_number = decrypt(r.id_number_enc)
                r.id_number_enc = encrypt(id_number)
                r.id_number_index = blind_index(id_number, purpose="id_number")
                if r.phone_enc:
                    phone = decrypt(r.phone_enc)
                    r.phone_enc = encrypt(phone)
                    r.phone_index = blind_index(phone, purpose="phone")
            Resident.objects.bulk_update(stale, _FIELDS, batch_size=500)
            rekeyed += len(stale)
    with transaction.atomic():
        record(
            actor=actor,
            action="pii.rekey",
            changes={"checked": checked, "rekeyed": rekeyed, "key_version": version},
            message=f"个人信息已改用第 {version} 版密钥加密：{rekeyed} 人。",
        )
    return RekeyResult(checked=checked, rekeyed=rekeyed, version=version)
