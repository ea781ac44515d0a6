"""shop.search.query: who the goods are for."""
from shop.search.query import parse


def test_buying_for_oneself_and_a_child_keeps_both_kinds():
    """打算给自己和娃各买件羽绒服: the child's kind and the plain kind (w7); 给娃买 alone: the child's only."""
    assert {"羽绒服", "儿童羽绒服"} <= set(parse("打算给自己和娃各买件羽绒服").wanted_types)
    assert "羽绒服" not in parse("给娃买件羽绒服").wanted_types
