"""Is each product believable? Checks that a product's name, type, cut, audience, tags,
materials, seasons and price agree with each other and with the curated tables.

Shoppers judge the assistant by the catalog it talks about: a 男款 dress or a 新生儿
toddler shoe makes every answer about it look wrong. `implausible(catalog)` lists every
such problem (empty = believable); tests/catalog runs it over the shipped files, and
`python -m shop.catalog.checks` prints it for a shop editing its data.

Rules come from the data, not from this code: types.yaml (synonyms, genders, price range)
and name_rules.yaml (words in a name that promise something).
"""
from __future__ import annotations

import sys

from shop.catalog import Catalog, load_catalog

GENDER_WORDS = {"男款": "男", "女款": "女", "男女同款": ""}
ALL_SEASONS = {"春", "夏", "秋", "冬"}


def type_words(entry: dict) -> list[str]:
    """The type's own name and its synonyms, longest first."""
    return sorted({entry["type"], *entry.get("synonyms", [])}, key=len, reverse=True)


def _name_gender(name: str) -> str | None:
    """The cut the name states (男款/女款/男女同款), or None when it states none."""
    for word, gender in GENDER_WORDS.items():
        if name.endswith(word):
            return gender
    return None


def product_problems(p: dict, catalog: Catalog) -> list[str]:
    """Everything implausible about one product row (as loaded by load_catalog)."""
    types = {t["type"]: t for t in catalog.types}
    problems: list[str] = []
    t = types.get(p["type"])
    if t is None:
        return [f"unknown type {p['type']}"]
    name = p["name"]
    if t["category"] != p["category"]:
        problems.append(f"type {t['type']} belongs to {t['category']}, product is in {p['category']}")
    if not any(w.lower() in name.lower() for w in type_words(t)):
        problems.append(f"name does not say it is a {t['type']} (nor {'/'.join(t.get('synonyms', []))})")
    stated = _name_gender(name)
    genders = t.get("genders") or []
    if stated is not None and stated != p["gender"]:
        problems.append(f"name says {stated or '男女同款'} but gender is {p['gender'] or 'anyone'}")
    if p["gender"] and p["gender"] not in genders:
        problems.append(f"a {t['type']} has no {p['gender']}款 (type's cuts: {genders or 'none'})")
    if stated is not None and not genders:
        problems.append(f"a {t['type']} is not cut for men or women, yet the name says {name[-4:]}")
    if genders == ["女"] and p["gender"] != "女":
        problems.append(f"a {t['type']} is a women's product, gender must be 女")
    if p["gender"] == "男" and "孕妇" in p["profiles"]:
        problems.append("a men's cut recommended to 孕妇")
    low, high = t["price"]
    if not low <= p["price"] <= high:
        problems.append(f"price {p['price']:g} outside a {t['type']}'s {low}-{high}")
    for rule in catalog.name_rules:
        word = rule["word"]
        if word not in name:
            continue
        rest = name.replace(word, " ")
        if rule.get("requires_material") and rule["requires_material"] not in p["materials"]:
            problems.append(f"name says {word} but materials are {'、'.join(p['materials'])}")
        if rule.get("only_materials") and set(p["materials"]) - set(rule["only_materials"]):
            problems.append(f"name says {word} but it is also made of "
                            f"{'、'.join(sorted(set(p['materials']) - set(rule['only_materials'])))}")
        if rule.get("never_gender") and p["gender"] == rule["never_gender"]:
            problems.append(f"{word} does not fit a {p['gender']}款")
        if rule.get("requires_tag") and rule["requires_tag"] not in p["tags"]:
            problems.append(f"name says {word} but tags lack {rule['requires_tag']}")
        if rule.get("requires_profile") and rule["requires_profile"] not in p["profiles"]:
            problems.append(f"name says {word} but it is not recommended to {rule['requires_profile']}")
        if rule.get("requires_all_seasons") and set(p["seasons"]) != ALL_SEASONS:
            problems.append(f"name says {word} but it is sold only in {'、'.join(p['seasons'])}")
        if p["type"] in rule.get("never_types", []):
            problems.append(f"{word} makes no sense for a {p['type']}")
        if rule.get("only_types") and p["type"] not in rule["only_types"]:
            problems.append(f"{word} makes no sense for a {p['type']}")
        twice = [w for w in rule.get("not_with", []) if w in rest]
        if twice:
            problems.append(f"name says {word} and {'、'.join(twice)}: the same thing twice")
    return problems


def implausible(catalog: Catalog) -> dict[str, list[str]]:
    """{product id: [problems]} for every product that is not believable; {} when all are."""
    out: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for p in catalog.products:
        problems = product_problems(p, catalog)
        if p["name"] in names:
            problems.append(f"same name as {names[p['name']]}")
        names.setdefault(p["name"], p["id"])
        if problems:
            out[p["id"]] = problems
    return out


def main() -> int:
    found = implausible(load_catalog())
    for pid, problems in found.items():
        for problem in problems:
            print(f"{pid}: {problem}")
    print(f"{len(found)} implausible products")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
