"""``mask_pii``: the numbers a resident may leave in an open answer are masked, and
ordinary numbers (order numbers, dates, prices, amounts) are left alone.

The ID numbers below are built with the GB 11643-1999 check digit (see ``_with_check``),
the way real ones are, so the tests exercise the checksum and not a lucky pattern.
"""

from __future__ import annotations

import pytest

from surveyapp.privacy.pii import id18_valid, mask_pii


def _with_check(first17: str) -> str:
    """``first17`` plus its ISO 7064 MOD 11-2 check character, computed independently of
    the module: weight of digit i is 2**(17 - i) mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


ID_PUER = _with_check("53080219900101123")  # 思茅区, born 1990-01-01
ID_X = "11010519491231002X"  # the standard's own example, check character X


def test_the_standards_example_and_our_builder_agree():
    assert _with_check("11010519491231002") == ID_X
    assert id18_valid(ID_X) and id18_valid(ID_X.lower())
    assert id18_valid(ID_PUER)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("请联系我 138 1234 5678 谢谢", "请联系我 138****5678 谢谢"),
        ("手机：139-8765-4321。", "手机：139****4321。"),
        ("+86 13812345678", "+86 138****5678"),
        ("+86-138 1234 5678", "+86-138****5678"),
        ("8615912345678", "86159****5678"),
        ("tel:19912345678,", "tel:199****5678,"),
        ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits from a Chinese IME
        ("座机 0879-2123456", "座机 0879-***3456"),
        ("010 12345678 找王经理", "010 ****5678 找王经理"),
        ("（0879）2123456", "（0879）***3456"),
        ("(0879)2123456", "(0879)***3456"),
        (f"身份证号{ID_PUER}", f"身份证号530802********{ID_PUER[-4:]}"),
        (f"ID {ID_X.lower()}!", "ID 110105********002x!"),
        ("旧身份证 530802900101123", "旧身份证 530802*****1123"),
        ("邮箱 zhang.san@example.com 联系", "邮箱 z***@example.com 联系"),
        ("QQ邮箱 12345678@qq.com", "QQ邮箱 1***@qq.com"),
        ("两个号码 13812345678 和 13987654321", "两个号码 138****5678 和 139****4321"),
    ],
)
def test_masks(text, masked):
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "服务很好，菜品新鲜，价格实惠",
        "订单号 202611251234567890",  # 18 digits: the check digit is wrong, no ID
        "订单 2026112512345678901",  # longer than any pattern: not cut into pieces
        "流水号 13812345678901",  # 14 digits starting like a mobile
        "卡号 6222021234567890123",  # a 19-digit bank card is not an ID
        "价格 138 元，一共 1380.00 元",
        "2026-11-25 13:00 到店",
        "2026年11月25日，第12345678号桌",
        "12812345678",  # 12x is no mobile prefix
        "电话 1381234567",  # ten digits: one short
        "123456789012345",  # 15 digits, month 90: not an old ID
        "营业时间 09:00-21:00",
        "0.5 公里",
        "user@localhost",  # no top-level domain
    ],
)
def test_leaves_ordinary_text_alone(text):
    assert mask_pii(text) == text


def test_an_18_digit_number_with_a_wrong_check_digit_is_kept_whole():
    wrong = ID_PUER[:-1] + ("0" if ID_PUER[-1] != "0" else "1")
    assert not id18_valid(wrong)
    assert mask_pii(f"编号{wrong}") == f"编号{wrong}"


def test_an_18_digit_number_with_an_impossible_birth_date_is_no_id():
    feb30 = _with_check("53080219900230123")
    assert mask_pii(feb30) == feb30


def test_the_separators_of_a_masked_number_do_not_leave_digits_behind():
    out = mask_pii("联系 138 1234 5678")
    assert "1234" not in out and out.count("*") == 4


def test_masking_is_stable():
    """Masking a masked text changes nothing (exports may pass text through twice)."""
    for text in ("电话13812345678", f"证件{ID_PUER}", "0879-2123456", "a.b@c.cn"):
        once = mask_pii(text)
        assert mask_pii(once) == once
