"""The publishable form of a free text: masked, links and contact details removed."""

from __future__ import annotations

import pytest

from surveyapp.moderation import normalise, publishable, text_key

REMOVED = [
    ("政府补贴请访问 http://evil.example/claim 领取", "政府补贴请访问 […] 领取"),
    ("访问https://evil.example/a?b=1领取补贴", "访问[…]领取补贴"),
    ("访问 evil。example/claim 领取", "访问 […] 领取"),  # an ideographic full stop
    ("上 www.evil.cn 看看", "上 […] 看看"),
    ("请联系我 138 1234 5678 谢谢", "请联系我 […] 谢谢"),
    ("电话 138.1234.5678", "电话 […]"),
    ("一三八一二三四五六七八找我", "[…]找我"),
    ("座机 0879-2123456", "座机 […]"),
    ("邮箱 zhang@example.com 欢迎", "邮箱 […] 欢迎"),
    ("热线400-800-1234", "热线[…]"),
    ("加微信 abc12345 详聊", "加[…] 详聊"),
    ("QQ：123456789", "[…]"),
    ("vx: wang_2026 联系", "[…] 联系"),
]


@pytest.mark.parametrize(("text", "shown"), REMOVED)
def test_links_and_contact_details_are_removed(text, shown):
    out = publishable(text)
    assert out.text == shown
    assert out.removed >= 1


@pytest.mark.parametrize(
    "text",
    [
        "服务很好。价格3.5元，2026年12月6日去的",
        "希望增加无障碍通道",
        "排队 20 分钟，希望多开一个窗口",
    ],
)
def test_ordinary_text_is_kept(text):
    assert publishable(text).text == text
    assert publishable(text).removed == 0


def test_identical_texts_share_a_key_and_are_cut():
    assert text_key("  希望  增加\n通道 ") == text_key("希望 增加 通道")
    assert normalise("  希望  增加\n通道 ") == "希望 增加 通道"
    assert text_key("希望增加通道") != text_key("希望增加通道！")
    assert len(publishable("长" * 1000).text) == 300
