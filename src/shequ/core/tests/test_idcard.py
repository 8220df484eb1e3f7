import datetime as dt

import pytest

from shequ.core.errors import ValidationError
from shequ.core.idcard import age_on, check_digit, make_id_number, parse_id_number

TODAY = dt.date(2026, 11, 25)


def test_valid_number_parses_birth_date_and_gender():
    # 11010519491231002X is the standard's own worked example (female)
    parsed = parse_id_number("11010519491231002x", today=TODAY)
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.region_code == "110105"


def test_generated_numbers_are_valid_and_male_on_odd_sequence():
    number = make_id_number("210302", dt.date(1960, 2, 29), 17)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.birth_date == dt.date(1960, 2, 29)
    assert parsed.gender == "M"
    assert check_digit(number[:17]) == number[17]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1101051949123100", "应为18位"),
        ("11010519491231002Y", "前17位应为数字"),
        ("110105199902300021", "出生日期 1999-02-30 不存在"),
        ("110105203001010021", "不合理"),
        ("110105194912310021", "校验位不正确"),
        ("010105194912310021", "地址码不正确"),
    ],
)
def test_bad_numbers_get_a_chinese_reason(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_id_number(raw, today=TODAY)


def test_age_counts_birthdays():
    assert age_on(dt.date(1966, 11, 26), TODAY) == 59
    assert age_on(dt.date(1966, 11, 25), TODAY) == 60
