"""Rotating SHEQU_DATA_KEY: re-encrypt, re-index, keep every number readable."""

from io import StringIO

import pytest
from django.core.management import call_command

from shequ.core.models import AuditRecord
from shequ.core.pii import decrypt, key_version_of
from shequ.core.tests.factories import actor_for
from shequ.residents import selectors
from shequ.residents.models import Resident
from shequ.residents.tests.helpers import id_number, resident

OLD = "11" * 32
NEW = "22" * 32


def test_rekey_moves_every_row_to_the_new_key(settings, tree, people):
    # given two residents written under key version 1
    settings.SHEQU_DATA_KEY = OLD
    a = resident(tree.unit, name="王芳", seq=1, phone="13912345678")
    b = resident(tree.unit, name="李强", seq=2)
    number_a = id_number(1)
    # when the administrator switches to version 2, keeping version 1 retired, and runs rekey
    settings.SHEQU_DATA_KEY, settings.SHEQU_DATA_KEY_VERSION = NEW, 2
    settings.SHEQU_DATA_KEYS_RETIRED = f"1:{OLD}"
    out = StringIO()
    call_command("rekey", stdout=out)
    # then both rows are under version 2 and still decrypt to the same numbers
    for row in Resident.objects.filter(pk__in=[a.pk, b.pk]):
        assert key_version_of(row.id_number_enc) == 2
    row_a = Resident.objects.get(pk=a.pk)
    assert decrypt(row_a.id_number_enc) == number_a
    assert key_version_of(row_a.phone_enc) == 2 and decrypt(row_a.phone_enc) == "13912345678"
    assert "重新加密 2 人" in out.getvalue()
    # and the blind index works under the new key, even with the old key gone
    settings.SHEQU_DATA_KEYS_RETIRED = ""
    found = selectors.resident_list(actor=actor_for(people.worker), q=number_a)
    assert [r.pk for r in found] == [a.pk]
    assert AuditRecord.objects.filter(action="pii.rekey").count() == 1
    # and a second run has nothing left to do
    out = StringIO()
    call_command("rekey", stdout=out)
    assert "重新加密 0 人" in out.getvalue()


def test_a_missing_retired_key_is_named(settings, tree):
    settings.SHEQU_DATA_KEY = OLD
    resident(tree.unit, seq=3)
    settings.SHEQU_DATA_KEY, settings.SHEQU_DATA_KEY_VERSION = NEW, 2
    with pytest.raises(ValueError, match="第 1 版密钥不可用"):
        call_command("rekey", stdout=StringIO())
    # nothing was rewritten
    assert key_version_of(Resident.objects.get().id_number_enc) == 1
