"""shop.search.query: who the goods are for."""
from shop.search.query import parse


def test_buying_for_oneself_and_a_child_keeps_both_kinds():
    """打算给自己和娃各买件羽绒服: the child's kind and the plain kind (w7); 给娃买 alone: the child's only."""
    assert {"羽绒服", "儿童羽绒服"} <= set(parse("打算给自己和娃各买件羽绒服").wanted_types)
    assert "羽绒服" not in parse("给娃买件羽绒服").wanted_types


def test_a_word_right_after_another_is_not_swallowed_by_a_word_across_the_border():
    # 运动|手表: 动手 is a word, but 运动 was already read; 手表 is goods the shop does not sell
    from shop.search.query import parse
    assert parse("跑步用的运动手表").not_sold == ("手表",)


def test_english_kind_names_of_several_words_are_one_kind():
    from shop.search.query import parse
    assert parse("yoga pants 高腰的").types == frozenset({"瑜伽裤"})
    assert parse("fleece jacket").types == frozenset({"抓绒外套"})
