"""Product questions answered from the knowledge graph, and which product a question is about.

`resolve` turns a message into the product it means: a named product, the n-th item of
the list shown last (第二个), the product page the shopper is on (channel metadata), or
the product in focus for 这个/它/那件/刚才那个. The answer functions word graph rows for
the chat; every graph call goes through shop.graph.queries (parameters only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from shop.dialogue import parsing
from shop.graph import queries as q
from shop.graph.store import GraphStore, Row

# Words that point back at a product already on the table.
REFERRING = ("这个", "这款", "这件", "这双", "这套", "这条", "这瓶", "这支", "这盒", "它", "那件", "那个", "那款",
             "那双", "刚才那个", "刚才那款", "刚刚那个", "上面那个", "该商品", "这一款", "这东西")
LIST_PICK = re.compile(r"第\s*([0-9一二两三四五六七八九十]+)\s*(?:个|款|件|双|套|条|瓶|支|盒|种)")
SHOWN = 3  # how many products a list shows (and 第N can pick from)


@dataclass
class Resolution:
    kind: str                      # one | many | none | unknown
    product: Row | None = None     # for one
    options: list[Row] = field(default_factory=list)  # for many
    term: str | None = None        # what the shopper named (unknown / many)


def resolve(store: GraphStore, text: str, *, entity: str | None = None, focus: str | None = None,
            listed: Sequence[str] = (), page_product: str | None = None) -> Resolution:
    text = text or ""
    pick = LIST_PICK.search(text)
    if pick and listed:
        n = parsing.cn_number(pick.group(1))
        if n and 1 <= n <= len(listed):
            row = q.product_attributes(store, listed[n - 1])
            if row:
                return Resolution("one", row)
    term = _named_in(store, text) or entity
    if term:
        found = q.find_products(store, term, limit=20)
        if len(found) == 1:
            return Resolution("one", q.product_attributes(store, found[0]["id"]))
        if found:
            # "这件羽绒服怎么洗" while a 羽绒服 is in focus: the focus, not a new search.
            if focus and any(r["id"] == focus for r in found):
                return Resolution("one", q.product_attributes(store, focus))
            if page_product and any(r["id"] == page_product for r in found):
                return Resolution("one", q.product_attributes(store, page_product))
            # "那件口红" right after a list (an order's items, recommendations) that holds one 口红.
            on_list = [r["id"] for r in found if r["id"] in listed]
            if len(on_list) == 1:
                return Resolution("one", q.product_attributes(store, on_list[0]))
            return Resolution("many", options=found, term=term)
        if not (focus and any(w in text for w in REFERRING)):
            return Resolution("unknown", term=term)
    for pid in (page_product, focus):
        if pid:
            row = q.product_attributes(store, pid)
            if row:
                return Resolution("one", row)
    return Resolution("none")


def _named_in(store: GraphStore, text: str) -> str | None:
    return named_product(text)


def named_product(text: str) -> str | None:
    """A product's full name typed or pasted into the message (the longest one found)."""
    return next((name for name in product_names() if name in (text or "")), None)


@lru_cache(maxsize=1)
def product_names() -> tuple[str, ...]:
    from shop.catalog import load_catalog
    return tuple(sorted({p["name"] for p in load_catalog().products}, key=len, reverse=True))


def choose_list(options: Sequence[Row], term: str | None) -> str:
    shown = list(options)[:SHOWN]
    lines = [f"{i}. {r['name']}，¥{r['price']:.0f}" for i, r in enumerate(shown, start=1)]
    more = f"（共 {len(options)} 款，这里列出前 {len(shown)} 款）" if len(options) > len(shown) else ""
    return f"找到这些{term or '商品'}{more}：\n" + "\n".join(lines) + "\n您问的是哪一款？回复「第几个」就行～"


def unknown_product(term: str | None) -> str:
    what = f"「{term}」" if term else "这个商品"
    return (f"亲，店里暂时没有找到{what}哦。您可以换个关键词试试（比如品类：羽绒服、跑鞋、面霜），"
            "或者在 APP 首页搜索框里搜一下～")


ASK_WHICH = "亲，您问的是哪款商品呢？告诉我商品名称，或者先让我给您推荐几款～"


# -- a photo instead of a name ------------------------------------------------------------
PHOTO_UNRECOGNISED = ("亲，图片里没能认出是哪款商品，麻烦告诉我商品名称，或者换一张商品完整、背景干净的图片～")


def photo_recognised(row: Row) -> str:
    return f"根据您发的图片，是这款「{row['name']}」。"


def photo_choose_list(rows: Sequence[Row], similarities: Sequence[float]) -> str:
    """The closest products to a photo; several may share one picture, so the shopper picks."""
    lines = [f"{i}. {r['name']}，¥{r['price']:.0f}（图片相似度 {s:.0%}）"
             for i, (r, s) in enumerate(zip(rows, similarities), start=1)]
    return "根据您发的图片，找到这几款相似的商品：\n" + "\n".join(lines) + "\n您问的是哪一款？回复「第几个」就行～"


# -- attributes ------------------------------------------------------------------------------
ASPECTS = (
    ("price", ("多少钱", "价格", "价钱", "贵", "便宜", "几块", "售价", "原价")),
    ("material", ("材质", "面料", "什么做的", "成分", "材料", "含棉", "纯棉吗", "真丝吗", "羊毛吗")),
    ("colors", ("颜色", "什么色", "几种色", "哪些色", "配色")),
    ("sizes", ("尺码", "码数", "哪些码", "几个码", "规格", "大小", "容量", "尺寸")),
    ("season", ("季节", "冬天", "夏天", "春天", "秋天", "冬季", "夏季", "春秋", "保暖", "凉快")),
    ("scene", ("场合", "场景", "穿去", "用来", "适合去", "上班穿", "运动时", "通勤", "约会", "露营")),
    ("profile", ("适合什么人", "适合谁", "敏感肌", "油皮", "干皮", "孕妇", "宝宝", "婴儿", "婴幼儿", "老人", "学生", "能用吗",
                 "上班族", "运动爱好者", "户外爱好者", "儿童", "小孩")),
    ("launch", ("上市", "新款", "什么时候出", "哪年", "上新")),
    ("features", ("特点", "功能", "怎么样", "好不好", "优点", "卖点", "介绍")),
)
SEASON_WORDS = {"春": ("春",), "夏": ("夏", "凉快"), "秋": ("秋",), "冬": ("冬", "保暖")}


def aspects(text: str) -> list[str]:
    found = [name for name, words in ASPECTS if any(w in text for w in words)]
    return found or ["summary"]


def describe(row: Row, text: str, *, profile: str | None = None) -> str:
    """Answer what the question asks about the product; several aspects are answered together."""
    name = row["name"]
    text = (text or "").replace(name, " ")  # "夏季凉席" names a season; the question may not
    parts: list[str] = []
    for aspect in aspects(text):
        if aspect == "price":
            parts.append(f"售价 ¥{row['price']:.0f}")
        elif aspect == "material":
            parts.append(f"材质是{'、'.join(row['materials']) or '以详情页为准'}")
        elif aspect == "colors":
            parts.append(f"有{'、'.join(row['colors'])} {len(row['colors'])} 种颜色")
        elif aspect == "sizes":
            parts.append(f"规格有 {'、'.join(row['sizes'])}")
        elif aspect == "season":
            asked = next((s for s, words in SEASON_WORDS.items() if any(w in text for w in words)), None)
            seasons = "、".join(row["seasons"])
            if asked:
                verdict = "适合" if asked in row["seasons"] else "不太适合"
                parts.append(f"{verdict}{asked}季（适用季节：{seasons}）")
            else:
                parts.append(f"适合{seasons}季")
        elif aspect == "scene":
            parts.append(f"适合{'、'.join(row['scenes'])}等场景")
        elif aspect == "profile":
            who = profile or next((p for p in row["profiles"] if p in text), None) or _asked_profile(text)
            if who:
                ok = who in row["profiles"]
                parts.append(("适合" if ok else "不在推荐人群里，") + f"{who}" + ("使用" if ok else "请谨慎选择")
                             + f"（推荐人群：{'、'.join(row['profiles'])}）")
            else:
                parts.append(f"适合{'、'.join(row['profiles'])}")
        elif aspect == "launch":
            parts.append(f"{row['launch_date']} 上市")
        elif aspect == "features":
            parts.append(f"特点：{'、'.join(row['tags'])}")
        else:
            parts.append(f"{row['category_name']}，¥{row['price']:.0f}，材质{'、'.join(row['materials']) or '—'}，"
                         f"颜色{'、'.join(row['colors'])}，特点{'、'.join(row['tags'])}")
    return f"亲，「{name}」" + "；".join(parts) + "。"


_PROFILE_WORDS = {"敏感肌": "敏感肌", "油皮": "油皮", "干皮": "干皮", "孕妇": "孕妇", "婴幼儿": "婴幼儿", "宝宝": "婴幼儿",
                  "婴儿": "婴幼儿", "老人": "老人", "学生": "学生", "上班族": "上班族", "运动爱好者": "运动爱好者",
                  "户外爱好者": "户外爱好者", "小孩": "儿童", "儿童": "儿童"}


def _asked_profile(text: str) -> str | None:
    return next((v for k, v in _PROFILE_WORDS.items() if k in text), None)


# -- care ----------------------------------------------------------------------------------------
def care_lines(rows: Sequence[Row]) -> str:
    lines = []
    for r in rows:
        temp = f"，水温不超过 {r['water_temp']}℃" if r.get("water_temp") is not None else ""
        dos = "；".join(r.get("dos") or [])
        donts = "、".join(r.get("donts") or [])
        lines.append(f"【{r['material']}】建议{r['method']}{temp}，{r['drying']}。" + (f"可以：{dos}。" if dos else "")
                     + (f"不要：{donts}。" if donts else ""))
    return "\n".join(lines)


def care_for_product(store: GraphStore, row: Row) -> str:
    rows = q.care_for_product(store, row["id"])
    if not rows:
        return f"亲，「{row['name']}」没有特别的洗护要求，按详情页说明使用就好～"
    return f"「{row['name']}」的洗护方法：\n" + care_lines(rows)


def care_for_material(store: GraphStore, material: str) -> str | None:
    rows = q.care_for_material(store, material)
    return ("亲，" + care_lines(rows)) if rows else None


@lru_cache(maxsize=1)
def all_colors() -> tuple[str, ...]:
    """Every colour the catalog knows, longest first (so 雾霾蓝 is found before 蓝色)."""
    from shop.catalog import load_catalog
    colors = {c for p in load_catalog().products for c in p["colors"]}
    return tuple(sorted(colors, key=len, reverse=True))


# -- stock -----------------------------------------------------------------------------------------
def stock_answer(store: GraphStore, row: Row, text: str, *, color: str | None = None, size: str | None = None) -> str:
    c = parsing.color(text, color, row["colors"]) if (color or text) else None
    if c is None:  # a colour this product does not come in ("有黑色吗" for a red-only item)
        c = next((k for k in all_colors() if k in (text or "")), None)
    s = parsing.size(text, size, row["sizes"]) if (size or text) else None
    if c is not None and c not in row["colors"]:
        return f"亲，「{row['name']}」没有{c}，现有颜色：{'、'.join(row['colors'])}。"
    if s is not None and s not in row["sizes"]:
        return f"亲，「{row['name']}」没有 {s} 这个规格，现有：{'、'.join(row['sizes'])}。"
    variants = q.stock(store, row["id"], c, s)
    label = " ".join(x for x in (c, s) if x) or "各规格"
    in_stock = [v for v in variants if v["stock"] > 0]
    if c and s:
        v = variants[0] if variants else None
        if v and v["stock"] > 0:
            few = "，库存不多了，喜欢要尽快下单哦" if v["stock"] <= 5 else ""
            return f"亲，「{row['name']}」{label}有货（剩 {v['stock']} 件）{few}。"
        alts = [f"{x['color']} {x['size']}" for x in q.stock(store, row["id"], c, None) if x["stock"] > 0]
        alt = f"{c}还有：{'、'.join(x.split()[1] for x in alts)}。" if alts else ""
        return f"亲，「{row['name']}」{label}暂时缺货，补货后会第一时间上架。{alt}"
    if not in_stock:
        return f"亲，「{row['name']}」{label}目前都缺货了，可以先加购物车，补货有提醒。"
    shown = "、".join(f"{v['color']} {v['size']}" for v in in_stock[:12])
    return f"亲，「{row['name']}」{label}有货：{shown}" + ("等" if len(in_stock) > 12 else "") + "。"


# -- size advice ----------------------------------------------------------------------------------------
_HEIGHT = re.compile(r"(?:身高\s*)?(1\s*[米m.]\s*[0-9]{1,2}|[1-2][0-9]{2}(?:\.\d)?)\s*(?:cm|厘米|公分)?", re.I)
_CN_HEIGHT = re.compile(r"一米([一二三四五六七八九])([一二三四五六七八九十]?)")
_WEIGHT = re.compile(r"([0-9]{2,3}(?:\.\d)?)\s*(公斤|kg|千克|斤)", re.I)
_FOOT = re.compile(r"脚长\s*([0-9]{2,3}(?:\.\d)?)\s*(mm|毫米|cm|厘米|公分)?", re.I)


def measures(text: str, height: str | None = None, weight: str | None = None) -> dict:
    """{'height': cm, 'weight': kg, 'foot': mm} from '175 70公斤', '一米七五 140斤', '脚长26厘米'."""
    text = parsing.ascii_text(" ".join(x for x in (text, height, weight) if x))
    out: dict = {}
    foot = _FOOT.search(text)
    if foot:
        v = float(foot.group(1))
        out["foot"] = v * 10 if (foot.group(2) or "").lower() in ("cm", "厘米", "公分") or v < 40 else v
        text = text.replace(foot.group(0), " ")
    w = _WEIGHT.search(text)
    if w:
        v = float(w.group(1))
        out["weight"] = v / 2 if w.group(2) == "斤" else v
        text = text.replace(w.group(0), " ")
    cn = _CN_HEIGHT.search(text)
    if cn:
        tens = parsing.cn_number(cn.group(1)) or 0
        ones = parsing.cn_number(cn.group(2)) if cn.group(2) else 0
        out["height"] = 100 + tens * 10 + (ones or 0)
    else:
        h = _HEIGHT.search(text)
        if h:
            raw = re.sub(r"\s", "", h.group(1))
            if re.match(r"1[米m.]", raw, re.I):
                digits = re.sub(r"\D", "", raw[2:])
                out["height"] = 100 + int(digits.ljust(2, "0")[:2])
            else:
                out["height"] = float(raw)
    if "height" in out and not 100 <= out["height"] <= 230:
        del out["height"]
    if "weight" in out and not 20 <= out["weight"] <= 200:
        del out["weight"]
    return out


def size_answer(store: GraphStore, row: Row, m: dict) -> str | None:
    """None when the measures needed are missing (the caller asks for them)."""
    chart = q.size_chart(store, row["category"])
    if not chart:
        return f"亲，「{row['name']}」不区分尺码，规格有：{'、'.join(row['sizes'])}。"
    needs_foot = any(r.get("foot_max") is not None for r in chart)
    if needs_foot and "foot" not in m or not needs_foot and not ({"height", "weight"} & set(m)):
        return None
    size = q.size_for_product(store, row["id"], height=m.get("height"), weight=m.get("weight"), foot=m.get("foot"))
    given = "，".join(x for x in (
        f"身高 {m['height']:.0f}cm" if "height" in m else "", f"体重 {m['weight']:.0f}kg" if "weight" in m else "",
        f"脚长 {m['foot']:.0f}mm" if "foot" in m else "") if x)
    if size is None:
        return f"亲，按{given}，「{row['name']}」最大码也可能偏小，建议联系人工客服确认，或看看宽松款～"
    return f"亲，按{given}，「{row['name']}」建议选 {size}。喜欢宽松可以大一码。"


def size_question(row: Row, chart_needs_foot: bool) -> str:
    return ("亲，麻烦告诉我脚长（厘米），我帮您对照尺码表～" if chart_needs_foot
            else f"亲，麻烦告诉我身高和体重（例如：175cm 70kg），我帮您推荐「{row['name']}」的尺码～")


def needs_foot(store: GraphStore, row: Row) -> bool:
    return any(r.get("foot_max") is not None for r in q.size_chart(store, row["category"]))


# -- recommendations -----------------------------------------------------------------------------------
SEASON_OF = {"春": "春", "夏": "夏", "秋": "秋", "冬": "冬"}
SCENE_SYNONYMS = {"爬山": "登山", "跑步": "健身", "上班": "通勤", "办公室": "办公", "野营": "露营", "户外": "户外运动",
                  "运动": "健身", "旅游": "旅行", "出差": "旅行", "做饭": "烹饪", "睡觉": "睡眠", "在家": "居家"}
_BUDGET = re.compile(r"([0-9]{2,5})\s*(?:元|块)?\s*(?:以内|以下|之内|左右|内)|预算\s*([0-9]{2,5})")


def budget(text: str) -> float | None:
    m = _BUDGET.search(parsing.ascii_text(text))
    return float(m.group(1) or m.group(2)) if m else None


def facets(store: GraphStore, text: str, *, scene: str | None = None, skin_type: str | None = None,
           season: str | None = None) -> dict:
    scenes = q.names(store, "Scene")
    profiles = q.names(store, "Profile")
    out: dict = {}
    s = scene or next((x for x in scenes if x in text), None) or next(
        (v for k, v in SCENE_SYNONYMS.items() if k in text), None)
    if s:
        out["scene"] = SCENE_SYNONYMS.get(s, s) if SCENE_SYNONYMS.get(s, s) in scenes else s
    p = skin_type or next((x for x in profiles if x in text), None) or _asked_profile(text)
    if p:
        out["profile"] = p
    se = season or next((k for k in SEASON_OF if k in text), None)
    if se:
        out["season"] = next((k for k in SEASON_OF if k in se), se)
    b = budget(text)
    if b:
        out["max_price"] = b
    return out


def recommend(store: GraphStore, f: dict, *, category_term: str | None = None, limit: int = SHOWN) -> list[Row]:
    """Products matching every facet given (scene ∩ profile ∩ season, within budget, of the category named)."""
    price = f.get("max_price")
    pools = []
    if "scene" in f:
        pools.append(q.products_by_scene(store, f["scene"], max_price=price, limit=50))
    if "profile" in f:
        pools.append(q.products_by_profile(store, f["profile"], max_price=price, limit=50))
    if "season" in f:
        pools.append(q.products_by_season(store, f["season"], max_price=price, limit=50))
    if category_term:
        named = q.find_products(store, category_term, limit=50)
        pools.append([r for r in named if price is None or r["price"] <= price])
    if not pools and price is not None:
        pools.append(q.products_by_budget(store, price, limit=50))
    if not pools:
        return []
    ids = set.intersection(*({r["id"] for r in pool} for pool in pools))
    ordered = [r for r in pools[0] if r["id"] in ids]
    return ordered[:limit]


def recommend_text(rows: Sequence[Row], f: dict, term: str | None) -> str:
    why = "、".join(x for x in (f.get("scene"), f.get("profile"), f"{f['season']}季" if f.get("season") else None,
                                f"{f['max_price']:.0f} 元以内" if f.get("max_price") else None, term) if x)
    lines = [f"{i}. {r['name']}，¥{r['price']:.0f}" for i, r in enumerate(rows, start=1)]
    return f"亲，按{why}为您推荐：\n" + "\n".join(lines) + "\n想了解哪一款？可以说「第一个怎么样」～"
