"""The shipped catalog is believable, and the check would catch what made it implausible before."""
from __future__ import annotations

import dataclasses

import pytest

from shop.catalog import CatalogError, load_catalog, validate
from shop.catalog.checks import implausible, product_problems


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _with(catalog, pid: str, **changes):
    products = [dict(p, **changes) if p["id"] == pid else p for p in catalog.products]
    return dataclasses.replace(catalog, products=products)


def test_every_shipped_product_is_plausible(catalog):
    assert implausible(catalog) == {}


def test_every_type_has_products_and_every_product_a_known_type(catalog):
    used = {p["type"] for p in catalog.products}
    assert used == {t["type"] for t in catalog.types}


@pytest.mark.parametrize("pid, changes, expected", [
    # the examples, as they were named before
    ("P0022", {"name": "修身碎花连衣裙男款", "gender": "男"}, "women's product"),
    ("P0034", {"name": "轻奢孕妇连衣裙男款", "gender": "男"}, "孕妇"),
    ("P0061", {"name": "时尚孕妇一脚蹬软底鞋男款", "gender": "男"}, "women's product"),
    ("P0274", {"name": "专业加厚瑜伽垫男款", "gender": "男"}, "not cut for men or women"),
    ("P0265", {"name": "加厚双人露营帐篷男款", "gender": "男"}, "not cut for men or women"),
    ("P0115", {"name": "全棉珊瑚绒毛毯"}, "materials"),
    ("P0111", {"name": "全棉纯棉四件套"}, "the same thing twice"),
    ("P0229", {"name": "婴幼儿婴儿防晒霜"}, "the same thing twice"),
    ("P0232", {"name": "新生儿宝宝学步鞋"}, "makes no sense"),
    ("P0231", {"name": "四季款婴儿防晒霜"}, "sold only in"),
    ("P0299", {"name": "低糖新疆和田大枣"}, "makes no sense"),
    ("P0205", {"name": "高速运动手环表带"}, "makes no sense"),
    ("P0261", {"name": "防风高腰瑜伽裤男款"}, "高腰"),
    ("P0019", {"profiles": ["上班族", "孕妇"]}, "孕妇"),   # 亚麻阔腿裤男款 for expectant mothers
    ("P0004", {"price": 19.0}, "outside"),
    ("P0004", {"name": "宽松真丝衬衫", "type": "T恤"}, "does not say it is a T恤"),
    ("P0004", {"materials": ["涤纶"]}, "真丝"),
])
def test_implausible_rows_are_caught(catalog, pid, changes, expected):
    changed = _with(catalog, pid, **changes)
    problems = product_problems(changed.product(pid), changed)
    assert any(expected in p for p in problems), problems


def test_duplicate_names_are_caught(catalog):
    changed = _with(catalog, "P0002", name=catalog.product("P0001")["name"])
    assert "P0002" in implausible(changed)


def test_unknown_type_and_gender_are_refused(catalog):
    with pytest.raises(CatalogError, match="unknown type"):
        validate(_with(catalog, "P0001", type="沙发"))
    with pytest.raises(CatalogError, match="gender"):
        validate(_with(catalog, "P0001", gender="男女"))
