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


# --- Variants written to get past a filter (issue 12, item 7) ----------------------------
# Each row: what a resident (or a spammer) wrote, and what is shown.  The ID in the issue
# (5308 0219 9001 0112 3X) is a valid one: its check character is X.
ID_SPACED = "5308 0219 9001 0112 3X"
assert _with_check("53080219900101123") == "53080219900101123X"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # mobiles: dots, spaces, hyphens, other groupings, prefixes
        ("138.1234.5678", "138****5678"),
        ("1381234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("138 12345678", "138****5678"),
        ("138.1234-5678 找我", "138****5678 找我"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("0086-138-1234-5678", "0086-138****5678"),
        ("(+86)13812345678", "(+86)138****5678"),
        ("1 3 8 1 2 3 4 5 6 7 8", "138****5678"),
        ("1-3-8-1-2-3-4-5-6-7-8", "138****5678"),
        ("电话：１３８．１２３４．５６７８", "电话：１３８****５６７８"),
        ("１３８－１２３４－５６７８", "１３８****５６７８"),
        ("138—1234—5678", "138****5678"),  # em dashes
        ("手机13812345678一定回电", "手机138****5678一定回电"),
        # Chinese numerals, alone, grouped, mixed with digits, 幺 and financial forms
        ("一三八一二三四五六七八", "一三八****五六七八"),
        ("电话一三八一二三四五六七八，谢谢", "电话一三八****五六七八，谢谢"),
        ("幺三八 幺二三四 五六七八", "幺三八****五六七八"),
        ("壹叁捌壹贰叁肆伍陆柒捌", "壹叁捌****伍陆柒捌"),
        ("138一二三四五六七八", "138****五六七八"),
        ("一三九〇〇〇〇〇〇〇〇", "一三九****〇〇〇〇"),
        # resident IDs with separators, full-width, in numerals
        (f"身份证 {ID_SPACED}", "身份证 530802********123X"),
        ("530802 19900101 123X", "530802********123X"),
        ("5308-0219-9001-0112-3X", "530802********123X"),
        ("５３０８０２１９９００１０１１２３Ｘ", "５３０８０２********１２３Ｘ"),
        ("五三〇八〇二一九九〇〇一〇一一二三X", "五三〇八〇二********一二三X"),
        (f"{ID_SPACED} 13812345678", "530802********123X 138****5678"),
        # landlines
        ("0879.2123456", "0879.***3456"),
        ("010-1234-5678", "010-****5678"),
        ("0879 212 3456", "0879 ***3456"),
        # e-mail variants
        ("zhang.san＠example．com", "z***＠example．com"),
        ("ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "ｚ***＠ｑｑ．ｃｏｍ"),
        ("zhangsan @ qq.com", "z*** @ qq.com"),
        ("zhangsan[at]qq.com", "z***[at]qq.com"),
        ("zhangsan(at)qq(dot)com", "z***(at)qq(dot)com"),
        ("zhangsan【at】163.com", "z***【at】163.com"),
        ("zhangsan at qq dot com", "z*** at qq dot com"),
        ("ZhangSan AT QQ DOT COM", "Z*** AT QQ DOT COM"),
        ("邮箱 zhangsan#163.com", "邮箱 z***#163.com"),
        ("zhangsan艾特qq点com", "z***艾特qq点com"),
        ("13812345678@qq.com", "1***@qq.com"),
        ("电话 13812345678 0879-2123456", "电话 138****5678 0879-***3456"),
        ("13812345678 13987654321", "138****5678 139****4321"),
    ],
)
def test_masks_variants(text, masked):
    assert mask_pii(text) == masked
    assert mask_pii(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "35元",
        "价格35元，比上次贵了5元",
        "一共三十五元",
        "2026年12月6日",
        "二〇二六年十二月六日",
        "2026.12.06 13:45 到店",
        "2026/12/06",
        "等了一二十分钟，三四个人排队",
        "一二三四五六七八九十",
        "满分十分打九分，第一次来",
        "邮编 665000",  # a postcode names a town, not a person: left alone on purpose
        "第1234567号",
        "版本 1.3.8",
        "192.168.1.1",
        "13 14 15 16 17 18 号桌",
        "12.5元 13.5元 14.5元",
        "电话 138 1234 567",  # ten digits
        "卡号 6222 0212 3456 7890 123",  # a bank card, 19 digits
        "卡号 6222 0212 3456 7890",  # 16: no landline "0212 3456 7890" inside
        "订单号 2026-1206-0001",
        "在 jd.com 买的",
        "C#.net 开发",
        "We ate at home.",
        "打分 1 2 3 4 5 4 3 2 1",
    ],
)
def test_leaves_ordinary_numbers_alone(text):
    assert mask_pii(text) == text
