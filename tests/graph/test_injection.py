"""Hostile text through product names and facets: parameters only, so nothing matches or changes."""
import pytest

from shop.graph import queries as Q
from shop.graph.seed import counts
from shop.graph.store import check_params

HOSTILE = [
    "') DETACH DELETE n //",
    "' OR 1=1 //",
    '" OR 1=1 //',
    "x\"}) MATCH (n) DETACH DELETE n //",
    "\\' RETURN 1 //",
    "\\",
    "{name: 'x'}",
    "$q",
    "羽绒服' }) DETACH DELETE p //",
    "a" * 5000,
    "羽" * 100_000,
    "😀🔥👗",
    "\x00\x01\x1b[31m",
    "ＭＡＴＣＨ (n) DETACH DELETE n",
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_match_nothing_and_delete_nothing(store, text):
    before = counts(store)
    assert Q.find_products(store, text) == []
    assert Q.products_by_scene(store, text) == []
    assert Q.products_by_profile(store, text) == []
    assert Q.care_for_material(store, text) == []
    assert Q.product_attributes(store, text) is None
    assert counts(store) == before


def test_non_string_input_is_refused_quietly(store):
    assert Q.find_products(store, None) == [] and Q.find_products(store, 42) == []


@pytest.mark.parametrize("text", ["') DETACH DELETE n //", '"}) DETACH DELETE n //', "\\\"", "a" * 100_000,
                                  "😀" * 1000, "line\nbreak\ttab"])
def test_raw_strings_reach_falkor_as_data(falkor_store, text):
    # Below the cleaning layer: the Redis-protocol adapter itself carries any string as data.
    before = counts(falkor_store)
    rows = falkor_store.query("RETURN $t AS t, size($t) AS n", {"t": text})
    assert rows == [{"t": text, "n": len(text)}]
    assert falkor_store.query("MATCH (p:Product) WHERE p.name = $t RETURN p.id AS id", {"t": text}) == []
    assert counts(falkor_store) == before


def test_answering_queries_are_read_only(falkor_store):
    from shop.graph.store import GraphError
    with pytest.raises(GraphError):
        falkor_store.query("MATCH (p:Product) DETACH DELETE p")
    assert counts(falkor_store)["Product"] > 0


@pytest.mark.parametrize("params", [{"a b": 1}, {"x": "a\x00b"}, {"x": float("nan")}, {"x": {"k-1": 1}},
                                    {"x": object()}])
def test_params_that_cannot_travel_are_refused(params):
    with pytest.raises(ValueError):
        check_params(params)
