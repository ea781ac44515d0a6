"""shop.nlu.order_cues: a message pointing at the shopper's own order and naming a task (issue 16)."""
import pytest

from shop.nlu.order_cues import order_intent


@pytest.mark.parametrize("text, read, cue", [
    ("202511230014 鞋换80码", "ask_recommendation", "request_exchange"),
    ("YT6965970600030 6天没动了", "ask_price_promotion", "track_logistics"),
    ("最近买的那个枕套啥时候到 急", "ask_recommendation", "track_logistics"),
    ("盖毯买了两条 两条都退", "ask_recommendation", "request_return"),
    ("我老婆那个真丝枕套 快一个礼拜没动静了 你们帮忙催一下", "ask_recommendation", "track_logistics"),   # a5 writer
    ("她那件开衫想换大一码", "ask_product_info", "request_exchange"),
    ("我老婆说那个褥子要换成1.5米的", "ask_product_info", "request_exchange"),    # passed on by the shopper
    ("我妈嫌她那床被子太薄了 想退", "ask_recommendation", "request_return"),
    ("订单202511170002中的身体乳申请更换为200毫升规格", "ask_product_info", "request_exchange"),   # a5 writer
    ("上次和哺乳内衣一起买的那个围兜 有股塑胶味", "ask_recommendation", "complain_quality"),
    ("表带那单退款呢 钱没看到", "nlu_fallback", "ask_refund_status"),
    ("帮我把这个订单取消了", "ask_shipping_policy", "cancel_order"),
    # a4 writer (tuning half): one's own goods, a day of the month, waiting for goods not yet sent
    ("我的衣服什么时候到", "nlu_fallback", "track_logistics"),
    ("我十一月二十二号那天买的东西 还没给我寄呢 我不要了", "nlu_fallback", "cancel_order"),
    ("那个褥子我不要了 还没寄来 你给我退了吧", "nlu_fallback", "cancel_order"),
    # a3/a4 writers (tuning half): goods not yet opened are in hand; several orders listed by their state
    ("那个身体乳我还没有开封，我想把四百毫升的大瓶换成二百毫升的小瓶", "ask_recommendation", "request_exchange"),
    ("我还没发货的那几单都给我列一下，我看看哪些还能改", "ask_shipping_policy", "check_order_status"),
    # a stranger's try: an elderly shopper's long sentence about a paid order not yet sent
    ("我前天晚上在贵店买了一条羊毛褥子，钱已经付了，到现在还没有发货，想请问一下大概什么时候能寄出来？", "ask_shipping_policy",
     "check_order_status"),
])
def test_the_task_an_order_message_names(text, read, cue):
    assert order_intent(text, read) == cue


@pytest.mark.parametrize("text, read", [
    ("我买的那件衬衫能机洗吗", "ask_care_method"),      # about the goods, no task
    ("我老婆想买个真丝枕套 有推荐吗", "ask_recommendation"),   # the household buying, no order pointed at
    ("我的皮肤比较干 什么时候用面霜好", "ask_product_info"),   # 我的 + no goods
    ("这款还没发售吗", "ask_product_info"),
    ("有没有适合夏天的防晒衣", "ask_recommendation"),   # no order pointed at
    ("衬衫退货运费谁出", "ask_shipping_policy"),         # the rules, not an order of one's own
    ("换个颜色有吗", "ask_stock"),
    ("202511230014 鞋换80码", "modify_order"),          # another order reading: the model's is kept
    ("对 那单取消", "affirm"),                          # an answer is never overridden
])
def test_other_messages_keep_the_models_reading(text, read):
    assert order_intent(text, read) is None


def test_an_unsure_order_reading_gives_way_to_the_words():
    """我想把前两天收到的盖毯退掉一条: the model leaned to track_logistics at 0.18."""
    assert order_intent("你好，我想把前两天收到的盖毯退掉一条", "track_logistics", 0.18) == "request_return"
    assert order_intent("你好，我想把前两天收到的盖毯退掉一条", "track_logistics", 0.8) is None


def test_the_same_order_reading_is_confirmed():
    """最近买的那个枕套啥时候到: the model leaned to track_logistics below the fallback threshold."""
    assert order_intent("最近买的那个枕套啥时候到 急", "track_logistics") == "track_logistics"


def test_a_sure_status_question_with_a_change_word_in_it_stays_a_status_question():
    assert order_intent("我那件米色的羊毛开衫申请退货好几天了 到底通过没有", "check_order_status", 0.7) is None


def test_a_no_with_the_orders_number_is_a_request_about_that_order():
    """202511230014 不想要了: the model read a bare no; the number makes it a request about the order
    (a return before shipment becomes a cancellation in the order form)."""
    assert order_intent("202511230014 不想要了", "deny", 0.9) == "request_return"
    assert order_intent("不想要了", "deny", 0.9) is None                 # a plain no stays a no
    assert order_intent("那单不要了", "deny", 0.9) is None               # no number: still an answer
    assert order_intent("202511230014 对 取消吧", "affirm", 0.9) is None  # a yes is never touched


def test_a_no_whose_task_words_are_absent_gives_way_to_the_words_when_unsure():
    """我那支口红到哪了 read as a refund question at 0.52: nothing in it is about money."""
    assert order_intent("我那支口红到哪了 急着用", "ask_refund_status", 0.52) == "track_logistics"
    assert order_intent("我那支口红到哪了 急着用", "ask_refund_status", 0.8) is None
    assert order_intent("寄北京那单 口红跟爽肤水 啥时候能到啊", "nlu_fallback", 0.45) == "track_logistics"


def _rank(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_a_product_question_read_as_order_business_is_a_product_question():
    from shop.nlu.order_cues import product_intent
    ranking = _rank(("complain_quality", 0.49), ("ask_product_info", 0.28), ("ask_recommendation", 0.08))
    assert product_intent("轻量三合一冲峰衣 防水不", "complain_quality", 0.49, ranking, True) == "ask_product_info"
    ranking = _rank(("complain_mismatch", 0.57), ("ask_stock", 0.2), ("ask_product_info", 0.16))
    assert product_intent("那件法式的有什么颜色", "complain_mismatch", 0.57, ranking, False) == "ask_stock"
    # a sure reading, a complaint's own words, or the shopper's own order keep the model's reading
    assert product_intent("轻量三合一冲峰衣 防水不", "complain_quality", 0.7, ranking, True) is None
    assert product_intent("冲锋衣开线了 能修吗", "complain_quality", 0.5, ranking, True) is None
    assert product_intent("我买的冲锋衣防水不", "complain_quality", 0.5, ranking, True) is None


def test_a_want_for_goods_read_as_small_talk_is_a_product_request():
    from shop.nlu.order_cues import product_intent
    ranking = _rank(("deny", 0.51), ("ask_stock", 0.06), ("ask_recommendation", 0.05))
    assert product_intent("不好意思刚才按错了，我想看看中老年奶粉", "deny", 0.51, ranking, True) == "ask_stock"
    assert product_intent("不用了 谢谢", "deny", 0.51, ranking, False) is None
