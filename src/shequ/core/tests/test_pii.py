import pytest

from shequ.core import pii


def test_encrypt_round_trip_and_fresh_nonce():
    # given one plaintext
    value = "110101199003071234"
    # when encrypted twice
    a, b = pii.encrypt(value), pii.encrypt(value)
    # then the ciphertexts differ (random nonce), both decrypt, and neither holds the plaintext
    assert a != b
    assert pii.decrypt(a) == value and pii.decrypt(b) == value
    assert value.encode() not in a
    assert a[0] == pii.current_version() == 1
    assert len(a) == 1 + 12 + len(value) + 16


def test_tampered_ciphertext_is_refused():
    blob = bytearray(pii.encrypt("13812345678"))
    blob[20] ^= 0x01
    with pytest.raises(Exception):  # noqa: B017 - GCM raises InvalidTag
        pii.decrypt(bytes(blob))


def test_blind_index_is_keyed_deterministic_and_purpose_separated(settings):
    a = pii.blind_index("11010119900307123x", purpose="id_number")
    # normalised: case and surrounding blanks do not matter
    assert a == pii.blind_index(" 11010119900307123X ", purpose="id_number")
    assert a != pii.blind_index("11010119900307123X", purpose="phone")
    assert len(a) == 64
    settings.SHEQU_DATA_KEY = "ab" * 32
    assert a != pii.blind_index("11010119900307123X", purpose="id_number")


def test_masks():
    assert pii.mask_id_number("110101199003071234") == "110101********1234"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("欧阳娜娜") == "欧***"
    assert pii.mask_name("李") == "李"
    assert pii.mask_id_number("") == ""


def test_short_data_key_is_refused(settings):
    settings.SHEQU_DATA_KEY = "abcd"
    with pytest.raises(RuntimeError, match="太短"):
        pii.encrypt("x")
