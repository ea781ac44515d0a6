"""Reading shoppers' answers: each parser finds what is there and nothing that is not."""
import pytest

from shop.dialogue import parsing as p
from shop.rules import shipping


@pytest.mark.parametrize("text,count,expected", [
    ("第二个", 5, 1), ("第2单", 5, 1), ("2", 5, 1), ("３", 5, 2), ("最后一个", 5, 4), ("第一个吧", 3, 0),
    ("第六个", 5, None), ("0", 5, None), ("我要退货", 5, None), ("", 5, None), ("第十个", 12, 9),
])
def test_pick_index(text, count, expected):
    assert p.pick_index(text, count) == expected


def test_order_numbers_ignore_phones_and_keep_what_was_typed():
    assert p.find_order_no("订单号是 2023-1124-0001") == "202311240001"
    assert p.find_order_no("手机13800138000，订单202311240001") == "202311240001"
    assert p.find_order_no("订单１２３４５") == "12345"  # too short: validation will say so
    assert p.find_order_no("第二个") is None
    assert p.find_order_no("x", entity="2023 1124 0001") == "202311240001"


def test_phones():
    assert p.find_phone("我的手机号是 +86 138-0013-8000") == "13800138000"
    assert p.find_phone("订单202311240001") is None


@pytest.mark.parametrize("text,expected", [
    ("改到上海市浦东新区张江路100号3栋", {"province": "上海市", "city": "上海市", "district": "浦东新区",
                                      "detail": "张江路100号3栋"}),
    ("新地址：浙江省杭州市西湖区文三路 1 号", {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                                        "detail": "文三路 1 号"}),
    ("广西壮族自治区南宁市青秀区民族大道8号", {"province": "广西壮族自治区", "city": "南宁市",
                                       "district": "青秀区", "detail": "民族大道8号"}),
    # Shoppers leave out the province, 市 or 区 (the divisions come from cpca's adcode table).
    ("改到广州市天河区体育西路191号中石化大厦B座20楼", {"province": "广东省", "city": "广州市", "district": "天河区",
                                              "detail": "体育西路191号中石化大厦B座20楼"}),
    ("杭州西湖区文三路100号", {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路100号"}),
    ("浙江省西湖区文三路1号", {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路1号"}),
    ("成都高新区天府大道北段1700号", {"province": "四川省", "city": "成都市", "district": "高新区",
                                 "detail": "天府大道北段1700号"}),
    # A district alone is in several cities; no city, no detail: asked again.
    ("朝阳区建国路88号", None), ("张江路100号", None), ("上海", None), ("浙江杭州", None), ("", None),
])
def test_addresses(text, expected):
    assert p.address(text) == expected


@pytest.mark.parametrize("text,as_answer,expected", [
    ("尺码不合适", False, "size"), ("质量有问题，开线了", False, "quality"), ("和图片不一样", False, "mismatch"),
    ("发错货了", False, "wrong_item"), ("不想要了", False, "no_reason"), ("3", True, "quality"),
    ("3", False, None), ("你好", True, None),
])
def test_return_reasons(text, as_answer, expected):
    assert p.return_reason(text, as_answer=as_answer) == expected


@pytest.mark.parametrize("text,expected", [
    ("收货地址写错了", "address"), ("电话要改", "phone"), ("换个颜色", "variant"), ("数量改成两件", "quantity"),
])
def test_modify_fields(text, expected):
    assert p.modify_field(text) == expected


@pytest.mark.parametrize("text,expected", [("改成2件", 2), ("数量改为三件", 3), ("要两双", 2), ("十二件", 12),
                                           ("5", 5), ("改成", None),
                                           ("我想多买一件，数量改成2件", 2),
                                           # numerals read whole (they were 2, 20 and 1): the rules refuse them
                                           ("改成两百件", 200), ("一百二十件", 120), ("改成一百件", 100)])
def test_quantities(text, expected):
    assert p.quantity(text) == expected


def test_sizes_and_colors_follow_the_catalog():
    assert p.size("换XL码") == "XL" and p.size("42码") == "42" and p.size("换个颜色") is None
    assert p.size("要 1.8m床 的", known=["1.5m床", "1.8m床"]) == "1.8m床"
    assert p.color("要黑的", known=["黑色", "白色"]) == "黑色"
    assert p.color("雾霾蓝", known=["蓝色", "雾霾蓝"]) == "雾霾蓝"


@pytest.mark.parametrize("text,intent,expected", [
    ("确认", None, True), ("好的", None, True), ("算了", None, False), ("不用了", None, False),
    ("嗯嗯", "deny", False), ("随便问问", None, None),
    ("补偿券我接受。", None, True), ("我不接受这个补偿", None, False),   # a5 writer
    ("十块就十块吧，给我", "inform", True), ("行吧 给我", None, True), ("别给我", None, False),   # a4 writer
])
def test_yes_no(text, intent, expected):
    assert p.yes_no(text, intent) == expected


def test_invoice_titles_and_tax_numbers():
    assert p.invoice_title("抬头是杭州未来科技有限公司") == ("company", "杭州未来科技有限公司")
    assert p.invoice_title("个人") == ("personal", "个人")
    assert p.invoice_title("202511170002 开个发票 个人抬头 电子的") == ("personal", "个人")   # the kind before 抬头
    assert p.invoice_title("张伟") == ("personal", "张伟")
    assert p.tax_number("税号 91110000600037341l") == "91110000600037341L"


def test_shipping_answers_come_from_the_policy_file():
    pol = shipping.policy()
    assert f"{pol['free_shipping_threshold']} 元包邮" in shipping.answer("满多少包邮")
    remote = shipping.answer("新疆包邮吗")
    assert "新疆属于偏远地区" in remote and f"{pol['remote']['fee']} 元" in remote
    assert pol["cut_off"] in shipping.answer("几点前付款当天发")
    assert "暂不支持" in shipping.answer("能寄到香港吗")
    assert "配送政策" in shipping.answer("")
    # traditional characters ask the same (issue 14: 運費怎麼算 used to ask which product)
    assert shipping.answer("運費怎麼算") == shipping.answer("运费怎么算")
    assert "偏远地区" in shipping.answer("新疆能寄不")


@pytest.mark.parametrize("text, task, expected", [
    ("对 取消", "cancel", True), ("对", "cancel", True), ("是的", None, True), ("取消", "cancel", True),
    ("对了 我想问下", "cancel", None), ("不对", "cancel", False), ("取消", "modify", None),
])
def test_yes_no_reads_a_leading_yes_and_the_task_named_again(text, task, expected):
    assert p.yes_no(text, None, task) is expected


def test_a_street_named_after_a_place_is_not_the_place():
    """所以现在地址还是香港中路那个 (a street in Qingdao): not a question about shipping to Hong Kong."""
    from shop.rules import shipping
    assert "不支持配送" not in shipping.answer("所以现在地址还是香港中路那个 对吧")
    assert "不支持配送" in shipping.answer("能寄到香港吗")


# -- forms the third after-sales set's writer used (2026-12-01) -----------------------------------------
def test_digits_of_a_tax_number_are_never_an_order_number():
    assert p.find_order_no("税号91210102MA0P5R2T08") is None
    assert p.find_order_no("开发票 202511170002 税号9121010212345678") == "202511170002"
    assert p.find_order_no("税号91210102MA0P5R2T08", "91210102") is None


def test_a_catalog_size_said_without_its_unit():
    sizes = ["120x150cm", "150x200cm"]
    assert p.size("两条都换成120x150的", None, sizes) == "120x150cm"
    assert p.size("换 120*150", None, sizes) == "120x150cm"
    assert p.size("换成150的", None, sizes) is None   # the lead number alone is the variant reader's call


@pytest.mark.parametrize("text,expected", [("202511170002 抬头写张伟就行", ("personal", "张伟")),
                                           ("抬头：张伟吧", ("personal", "张伟"))])
def test_invoice_title_without_the_filler_after_it(text, expected):
    assert p.invoice_title(text) == expected


@pytest.mark.parametrize("text,expected", [("东西都没有拆开用过，包装也都还在", "no_reason"), ("没用过 想退", "no_reason")])
def test_unused_goods_are_a_no_reason_return(text, expected):
    assert p.return_reason(text) == expected


@pytest.mark.parametrize("text", ["券要 整吧", "要券", "整吧"])
def test_taking_the_delay_coupon_in_northern_words(text):
    assert p.yes_no(text, "ask_price_promotion", "track") is True


def test_voice_slips_in_an_invoice_title_and_a_tax_number():
    from shop.text.normalize import normalize
    assert p.invoice_title(normalize("台头开公司 厦门鹭岛科技有限公司 税好是91350100M000100Y45")) == \
        ("company", "厦门鹭岛科技有限公司")


@pytest.mark.parametrize("text, want", [
    ("帮我开个发票 个人 张伟", ("personal", "张伟")),            # 个人, then whose (a5 writer)
    ("算了不取消了 帮我开个发票 个人", ("personal", "个人")),       # the clause before is not a name
    ("订单202511220001需开具单位抬头电子发票。", None),            # the kind of invoice; the title is still to come
    ("单位名称：北京建国路会计服务有限公司。", ("company", "北京建国路会计服务有限公司")),
])
def test_invoice_title_in_a_shoppers_own_layout(text, want):
    assert p.invoice_title(text) == want
