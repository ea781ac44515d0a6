"""Personal data leaves a message before anyone reviews it (issue 19)."""
import pytest

from shop.review.masking import ADDRESS, EMAIL, NAME, NUMBER, ORDER, PHONE, TRACKING, mask, shift_entities


@pytest.mark.parametrize("text, hidden, placeholder", [
    ("我手机13812345678收不到验证码", "13812345678", PHONE),
    ("电话是 138 0013 8000", "138 0013 8000", PHONE),
    ("+86 139-1234-5678 这个号", "139-1234-5678", PHONE),
    ("202611290006这单怎么还没到", "202611290006", ORDER),
    ("单号SF1234567890123一直不动", "SF1234567890123", TRACKING),
    ("验证码 482913", "482913", NUMBER),
    ("身份证 110101199003077777 要填吗", "110101199003077777", NUMBER),
    ("发票寄到 li.na@example.com", "li.na@example.com", EMAIL),
    ("改到杭州市西湖区文三路100号", "文三路100号", ADDRESS),
    ("地址改成上海市浦东新区张江镇科苑路88弄3号楼502室吧", "科苑路88弄3号楼502室", ADDRESS),
    ("我在成都市武侯区人民南路四段12号", "人民南路四段12号", ADDRESS),
    ("我住阳光花园小区5栋", "阳光花园小区5栋", ADDRESS),
    ("收件人改成李娜", "李娜", NAME),
    ("我是王芳，上次买的那个", "王芳", NAME),
    ("联系人：陈大伟 电话另给", "陈大伟", NAME),
    ("刘女士你好", "刘", NAME),
    ("我手机13812345678 王芳 地址改了", "王芳", NAME),   # a bare name: jieba's tagger finds it
    ("帮张伟查下订单", "张伟", NAME),
])
def test_each_kind_of_personal_data_is_replaced(text, hidden, placeholder):
    masked, spans = mask(text)
    assert hidden not in masked and placeholder in masked
    assert spans and all(text[a:b] for a, b, _ in spans)


@pytest.mark.parametrize("text", [
    "发到上海要几天", "175 70公斤穿什么码", "一米七 一百六十斤", "宽松真丝衬衫多少钱 什么面料的",
    "我是想问一下退货", "老婆平时穿M 这个她能穿吗", "北京发货吗", "满300减30还有吗", "42码的还有吗",
    "孙子穿多大的", "杨梅干有吗", "给我爸买双走路不累的", "周末能到吗",
])
def test_what_a_question_needs_stays(text):
    """Cities, sizes, heights, prices and ordinary words are not personal data."""
    assert mask(text)[0] == text


def test_values_the_conversation_revealed_are_masked_wherever_they_appear():
    """The bot repeats what the shopper gave (a name, a new address): the slots' values go too."""
    masked, _ = mask("好的，已为张伟改到滨江区江南大道3号", known=["张伟", "滨江区江南大道3号"])
    assert "张伟" not in masked and "江南大道" not in masked
    assert NAME in masked and ADDRESS in masked


def test_the_model_entities_follow_the_masked_text():
    text = "订单202611290006的M码换L"
    masked, spans = mask(text)
    entities = [{"start": 2, "end": 14, "entity": "order_id", "value": "202611290006"},
                {"start": 15, "end": 17, "entity": "size", "value": "M码"},
                {"start": 18, "end": 19, "entity": "size", "value": "L"}]
    moved = shift_entities(text, spans, entities)
    assert [masked[e["start"]:e["end"]] for e in moved] == [ORDER, "M码", "L"]
    assert moved[0]["value"] == ORDER


@pytest.mark.parametrize("text", ["", None, 5])
def test_nothing_to_mask(text):
    assert mask(text) == ("", [])
