"""Product answers worded for the chat: facts from graph rows, SQL stock, the rules' promotions.

shop.dialogue.product_turn decides what is asked about which products; this module only
says it. A fact is a fragment ("售价 ¥549") joined into one sentence per product
(`one_product`), or a whole sentence of its own (`Sentence`, e.g. a question back).
Tone: docs/tone.md (您, 亲 only as an opener, full-width punctuation).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from shop.graph.store import Row

# Words that point back at a product already on the table.
REFERRING = ("这个", "这款", "这件", "这双", "这套", "这条", "这瓶", "这支", "这盒", "它", "那件", "那个", "那款",
             "那双", "刚才那个", "刚才那款", "刚刚那个", "上面那个", "该商品", "这一款", "这东西", "这只", "这顶", "这把",
             "这台", "这包", "那条", "那套", "那瓶", "这两款", "这几款", "这种衣服", "这种东西", "这类")
LIST_PICK = re.compile(r"第\s*([0-9一二两三四五六七八九十]+)\s*(?:个|款|件|双|套|条|瓶|支|盒|种|顶|把|台|包)?")
SHOWN = 3  # how many products a list shows (and 第N can pick from)


class Sentence(str):
    """A fact that is a sentence of its own (a question back to the shopper), not a fragment."""


def _yuan(x) -> str:
    return f"¥{float(x):.0f}"


# -- one product, several products -------------------------------------------------------------------
def one_product(row: Row, parts: Sequence[str]) -> str:
    fragments = [p for p in parts if not isinstance(p, Sentence)]
    sentences = [p for p in parts if isinstance(p, Sentence)]
    out = []
    if fragments:
        out.append(f"亲，「{row['name']}」" + "；".join(fragments) + "。")
    for sentence in sentences:   # one greeting to a reply, however many answers it holds
        out.append(sentence.removeprefix("亲，") if out else sentence)
    return "\n".join(out)


def other_cut(row: Row, gender: str) -> str:
    """The same kind in the cut a unisex product was asked for (女朋友 / 老公): its name and price."""
    return f"同类也有{gender}款：「{row['name']}」{_yuan(row['price'])}。"


def several_products(lines: Sequence[tuple[Row, Sequence[str]]], query=None) -> str:
    body = []
    for i, (row, parts) in enumerate(lines, start=1):
        facts = "；".join(p for p in parts if not isinstance(p, Sentence))
        body.append(f"{i}. {row['name']}，{_yuan(row['price'])}" + (f"：{facts}" if facts and not
                                                                      facts.startswith("售价") else ""))
    return ("亲，找到这几款：\n" + "\n".join(body)
            + "\n您问的是哪一款？回复「第几个」，我再详细说说～")


@lru_cache(maxsize=1)
def _packed_categories() -> frozenset:
    from shop.catalog import load_catalog
    return frozenset(c["code"] for c in load_catalog().categories if c.get("material_is") == "packaging")


def material_label(row: Row) -> str:
    """材质, or 包装 where the catalog's material of the aisle is the pack (a cream in PC塑料)."""
    return "包装" if row.get("category") in _packed_categories() else "材质"


def comparison(a: Row, b: Row) -> str:
    """Two products side by side: what differs (price, materials, features, colours, sizes, launch)
    and, honestly, what does not (两款材质、特点一样，差在价格)."""
    fields = ((material_label(a), "materials"), ("特点", "tags"), ("颜色", "colors"), ("规格", "sizes"))
    lines = []
    for row in (a, b):
        facts = [_yuan(row["price"])] + [f"{label}{'、'.join(row.get(key) or []) or '—'}"
                                         for label, key in fields
                                         if (a.get(key) or []) != (b.get(key) or []) or key == "materials"]
        if row.get("launch_date") and a.get("launch_date") != b.get("launch_date"):
            facts.append(f"{str(row['launch_date'])[:7]} 上市")
        lines.append(f"「{row['name']}」：" + "，".join(facts))
    same = [label if key != "tags" else f"特点都是{'、'.join(a['tags'])}" if a.get("tags") else "特点"
            for label, key in fields if (a.get(key) or []) == (b.get(key) or [])]
    gap = float(b["price"]) - float(a["price"])
    if gap:
        dear, cheap = (b, a) if gap > 0 else (a, b)
        price = f"「{dear['name']}」贵 {_yuan(abs(gap))}"
    else:
        price = "两款价格一样"
    alike = [x for x in same if not x.startswith("特点都是")]
    common = [x for x in same if x.startswith("特点都是")]
    tail = "，".join(([f"两款{'、'.join(alike)}一样"] if alike else []) + common + [price]) + "。"
    return "亲，两款对比一下：\n" + "\n".join(lines) + "\n" + tail


def shop_range(categories: Sequence[str]) -> str:
    """The shop's aisles (categories.yaml), for 你们主要卖什么."""
    return (f"亲，本店主要有{'、'.join(categories)}这几大类商品。想买什么告诉我用途、给谁用或预算，"
            "我帮您挑～")


def own_coupons(coupons: Sequence) -> str:
    """The shopper's usable coupons (shop.orders.views.CouponView), soonest to expire first."""
    if not coupons:
        return "亲，您的账户里暂时没有可用的优惠券；店铺正在进行的活动可以问我「现在有什么活动」～"
    lines = [f"{i}. {c.title}（{'无门槛' if not c.threshold else f'满{float(c.threshold):g}元可用'}，"
             f"减 {float(c.amount):g} 元，{c.valid_until.month}月{c.valid_until.day}日前有效）"
             for i, c in enumerate(coupons, start=1)]
    return "亲，您账户里现在能用的券：\n" + "\n".join(lines) + "\n下单结算时选择对应的券就能抵扣，每单限用一张～"


OWN_COUPONS_UNVERIFIED = ("亲，账户里的券要先确认是您本人才能查：说「查我的订单」，按提示验证下单手机号后再问我就行；"
                          "在 APP「我的 → 优惠券」里也能直接看到～")


# -- price and promotions ---------------------------------------------------------------------------
def price_fact(row: Row, offers: Sequence) -> str:
    from shop.rules.promotions import wording
    fact = f"售价 {_yuan(row['price'])}"
    if offers:
        fact += "，现在可参加" + "、".join(wording(p) for p in offers)
        short = [p for p in offers if p.kind == "满减" and p.threshold > float(row["price"])]
        if short:   # ¥299 against 满300减30: one alone does not reach it, say by how much
            gap = min(p.threshold for p in short) - float(row["price"])
            fact += f"（单买一件还差 ¥{gap:g} 才到满减门槛，凑单即可）"
    return fact


def promotion_fact(row: Row, offers: Sequence) -> str:
    from shop.rules.promotions import wording
    if not offers:
        return f"售价 {_yuan(row['price'])}，目前没有参加店铺活动"
    return f"售价 {_yuan(row['price'])}，可参加" + "、".join(wording(p) for p in offers)


def named_promotions(named: Sequence, missing: Sequence[str], active: Sequence, today) -> str:
    """Offers the shopper asked about by name, whether they run now, and sales days with no offer."""
    from shop.rules.promotions import wording
    lines = []
    for p in named:
        when = ("正在进行" if p.valid_on(today) else "还没开始" if p.valid_from > today else "已经结束")
        lines.append(f"{wording(p)}，{when}")
    for event in missing:
        lines.append(f"店铺没有「{event}」的活动" + ("，之前的优惠券也已过期" if "双十一" in event or "双11" in event else ""))
    now = [p for p in active if p not in named]
    tail = ("。现在进行中的：" + "；".join(wording(p) for p in now)) if now else ""
    return "亲，" + "；".join(lines) + tail + "。"


def quote_fact(row: Row, qty: int, subtotal: float, total: float, offer) -> str:
    """What qty of the product costs with the best offer that applies, and whether it ships free."""
    from shop.rules.shipping import policy
    free = float(policy()["free_shipping_threshold"])
    fee = float(policy()["standard_fee"])
    deal = f"，参加「{offer.title}」后 {total:g} 元" if offer else ""
    ship = (f"，满 {free:g} 元包邮（偏远地区除外）" if total >= free else f"，不满 {free:g} 元需运费 {fee:g} 元")
    return f"{qty} 件共 {subtotal:g} 元{deal}{ship}"


def cart_quote(cart: Sequence[tuple[Row, int]], subtotal: float, total: float, offer) -> str:
    """Several products with their quantities: the goods total, the best offer, free shipping."""
    from shop.rules.shipping import policy
    from shop.rules.promotions import wording
    free = float(policy()["free_shipping_threshold"])
    fee = float(policy()["standard_fee"])
    items = " + ".join(f"{q} 件「{row['name']}」" for row, q in cart)
    deal = f"，参加{wording(offer, with_dates=False)}后 {total:g} 元" if offer else "，没有能参加的活动"
    alone = "（不与其他优惠叠加）" if offer and not offer.stackable else ""
    ship = f"，满 {free:g} 元包邮（偏远地区除外）" if total >= free else f"，不满 {free:g} 元需运费 {fee:g} 元"
    return f"合计：{items} 共 {subtotal:g} 元{deal}{alone}{ship}。"


def shipping(text: str, row: Row | None = None) -> str:
    """The shipping policy's answer to the question (shop/rules/shipping.yaml), and for a product in
    focus whether its price alone reaches free shipping."""
    from shop.rules.shipping import answer, policy
    reply = answer(text)
    if row is not None:
        free = float(policy()["free_shipping_threshold"])
        price = float(row["price"])
        reply += (f"「{row['name']}」{_yuan(price)}，" + ("单件就满包邮门槛。" if price >= free else
                                                        f"单买不满 {free:g} 元，凑满 {free:g} 元即可包邮。"))
    return Sentence(reply)


def shop_promotions(offers: Sequence) -> str:
    from shop.rules.promotions import wording
    if not offers:
        return "亲，店铺目前没有进行中的活动，商品按页面价格销售；告诉我想买的商品，我帮您看看价格～"
    lines = [f"{i}. {wording(p)}" + ("" if p.stackable else "，不与其他优惠叠加") for i, p in enumerate(offers, 1)]
    return "亲，店铺现在的活动：\n" + "\n".join(lines) + "\n告诉我想买的商品，我帮您看看能参加哪个～"


# -- attributes -------------------------------------------------------------------------------------------
SEASON_WORDS = {"春": ("春",), "夏": ("夏", "凉快", "热"), "秋": ("秋",), "冬": ("冬", "保暖", "冷", "暖和")}
_PROFILE_WORDS = {"敏感肌": "敏感肌", "油皮": "油皮", "干皮": "干皮", "孕妇": "孕妇", "怀孕": "孕妇", "婴幼儿": "婴幼儿",
                  "宝宝": "婴幼儿", "婴儿": "婴幼儿", "老人": "老人", "老年人": "老人", "学生": "学生", "上班族": "上班族",
                  "运动爱好者": "运动爱好者", "户外爱好者": "户外爱好者", "小孩": "儿童", "儿童": "儿童", "孩子": "儿童"}


def attribute_fact(row: Row, aspect: str, text: str, query=None) -> str:
    """One attribute of the product, as a fragment; `text` is the question without the product's name."""
    if aspect == "material":
        return f"{material_label(row)}是{'、'.join(row['materials']) or '以详情页为准'}"
    if aspect == "colors":
        if len(row["colors"]) == 1:   # 有没有别的颜色: the answer is that there is no other
            return f"只有{row['colors'][0]}一种颜色"
        return f"有{'、'.join(row['colors'])} {len(row['colors'])} 种颜色"
    if aspect == "sizes":
        return f"规格有 {'、'.join(row['sizes'])}"
    if aspect == "season":
        asked = next((s for s, words in SEASON_WORDS.items() if any(w in text for w in words)), None)
        seasons = "、".join(row["seasons"])
        if asked:
            return f"{'适合' if asked in row['seasons'] else '不太适合'}{asked}季（适用季节：{seasons}）"
        return f"适合{seasons}季"
    if aspect == "scene":
        return f"适合{'、'.join(row['scenes'])}等场景"
    if aspect == "profile":
        who = next((p for p in row["profiles"] if p in text), None) or next(
            (v for k, v in _PROFILE_WORDS.items() if k in text), None)
        gender = _gender_asked(text)
        if gender and row.get("gender") and row["gender"] != gender:
            return f"是{row['gender']}款，{gender}生穿建议看看同款的{gender}款或男女同款"
        if gender and not who:
            return f"{'男女都可以穿' if not row.get('gender') else row['gender'] + '款'}"
        if who:
            ok = who in row["profiles"]
            return (("适合" if ok else "不在推荐人群里，") + f"{who}" + ("使用" if ok else "请谨慎选择")
                    + f"（推荐人群：{'、'.join(row['profiles'])}）")
        return f"适合{'、'.join(row['profiles'])}"
    if aspect == "launch":
        return f"{row['launch_date']} 上市"
    if aspect == "features":
        return f"特点：{'、'.join(row['tags'])}"
    return (f"{row['category_name']}，{_yuan(row['price'])}，{material_label(row)}{'、'.join(row['materials']) or '—'}，"
            f"颜色{'、'.join(row['colors'])}，特点{'、'.join(row['tags'])}")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)
            if all("\u4e00" <= c <= "\u9fff" or c.isalnum() for c in text[i:i + 2])}


# Pairs of characters too common to say a tag is being asked about.
_COMMON = {"可以", "什么", "这个", "那个", "一下", "是不", "不是", "有没", "没有", "怎么", "多少", "适合", "吗有"}


def tags_asked(text: str, tags, attributes=()) -> list[str]:
    """The product's tags the question touches: sharing two characters (含酒精吗 → 无酒精; 是热插拔的吗 →
    热插拔; 316的吗 → 316不锈钢), an attribute the tag carries (暖和吗 → 保暖), or a word the
    vocabulary's tag_words table names for it (鸭毛还是鹅毛 → 90白鸭绒)."""
    from shop.search.lexicon import lexicon
    lex = lexicon()
    asked = _bigrams((text or "").lower()) - _COMMON
    carried = {tag for a in attributes for tag in lex.attribute_tags.get(a, ())}
    named = {tag for word, tag in lex.tag_words.items() if word in (text or "")}
    return [t for t in tags if _bigrams(t.lower()) & asked or t in carried or t in named
            or (t.isascii() and t.lower() in (text or "").lower())]


def tags_fact(row: Row, text: str, attributes=()) -> str:
    hits = tags_asked(text, row.get("tags", []), attributes)
    if not hits:
        return f"特点：{'、'.join(row['tags'])}（您问的这点商品资料里没有写，可以看详情页或回复「转人工」确认）"
    return f"有「{'、'.join(hits)}」（特点：{'、'.join(row['tags'])}）"


def _gender_asked(text: str) -> str | None:
    if any(w in text for w in ("男生", "男士", "男的", "男款", "男人", "男朋友", "老公")):
        return "男"
    if any(w in text for w in ("女生", "女士", "女的", "女款", "女人", "女朋友", "老婆")):
        return "女"
    return None


UNKNOWN = {"weight": "重量", "origin": "产地和品牌", "shelf_life": "保质期和生产日期", "authenticity": "质检和认证信息"}


def unknown_fact(row: Row, aspect: str) -> str:
    return (f"的{UNKNOWN.get(aspect, '这项信息')}商品资料里没有写，我不能随便回答；"
            "您可以看看详情页，或回复「转人工」请人工客服确认")


def not_sold(word: str) -> str:
    from shop.store.products import category_names
    return (f"亲，本店暂时没有卖{word}哦。店里有{'、'.join(category_names().values())}等商品，"
            "您可以告诉我想买的品类、用途或预算，我帮您挑～")


def nothing_found(text: str) -> str:
    return ("亲，店里暂时没有找到符合的商品。您可以换个说法，或者告诉我想买的品类（比如羽绒服、跑鞋、面霜）、"
            "用途和预算，我帮您挑～")


ASK_WHICH = "亲，您问的是哪款商品呢？告诉我商品名称，或者先让我给您推荐几款～"


# -- lists --------------------------------------------------------------------------------------------------
def _budget(price: tuple) -> str:
    low, high = price
    if low <= 0:
        return f"{high:.0f}元以内"
    if high == float("inf"):
        return f"{low:.0f}元以上"
    return f"{low:.0f}-{high:.0f}元"


def _what(q) -> str:
    if q.type_words:
        return "、".join(dict.fromkeys(q.type_words))
    return "商品"


def _why(row: Row, q) -> str:
    """Why this product fits: the facets it meets, in the shopper's terms."""
    from shop.search.index import facet_hits
    hits = facet_hits(row, q)
    reasons = []
    if hits.get("attributes"):
        reasons += sorted(q.attributes)
    if hits.get("profiles"):
        reasons.append("适合" + "、".join(sorted(set(q.profiles) & set(row["profiles"]))))
    if hits.get("seasons"):
        reasons.append("、".join(sorted(set(q.seasons) & set(row["seasons"]))) + "季可用")
    if hits.get("scenes"):
        reasons.append("适合" + "、".join(sorted(set(q.scenes) & set(row["scenes"]))))
    if hits.get("materials"):
        reasons.append("、".join(sorted(set(q.materials) & set(row["materials"]))))
    if hits.get("colors"):
        reasons.append("有" + "、".join(sorted(set(q.colors) & set(row["colors"]))))
    if row.get("gender"):
        reasons.append(f"{row['gender']}款")
    # 有酒精吗 / 无香精的: the tags the question touches come first, so the list answers it for each one
    asked = [t for t in tags_asked(q.text, row.get("tags", []), q.attributes) if t not in reasons]
    reasons = asked + reasons
    return "、".join(dict.fromkeys(reasons)) or "、".join(row["tags"][:2])


FACET_NAMES = {"attributes": "功能", "profiles": "人群", "scenes": "场景", "seasons": "季节", "materials": "材质",
               "colors": "颜色"}


def _unmet(found) -> str:
    q = found.query
    notes = []
    if q.not_sold:   # 手机放上去就能充电的: the goods for it, said to be all the shop has
        notes.append(f"店里不卖{q.not_sold[0]}，有这些{q.not_sold[0]}用的配件")
    if "price" in found.unmet and q.price:
        notes.append(f"没有{_budget(q.price)}的{_what(q)}，下面是价格最接近的")
    if "gender" in found.unmet and q.gender:
        notes.append(f"{_what(q)}没有{q.gender}款，下面是男女都能穿的或其他款")
    if "no_more" in found.unmet:
        notes.append(f"符合条件的{_what(q)}就这几款了")
    if "cheaper" in found.unmet:
        notes.append("刚才那几款已经是最便宜的了")
    if "dearer" in found.unmet:
        notes.append("刚才那几款已经是价格最高的了")
    wished = [k for k in FACET_NAMES if k in found.unmet]
    if wished:
        what = "、".join("、".join(sorted(getattr(q, k))) for k in wished)
        notes.append(f"没有完全符合「{what}」的{_what(q)}，给您看看最接近的")
    return "；".join(notes)


def product_list(rows: Sequence[Row], found, *, more: bool = False) -> str:
    q = found.query
    conditions = [x for x in (
        "、".join(sorted(q.seasons)) + "季" if q.seasons else "",
        "、".join(sorted(q.scenes)) if q.scenes else "",
        "、".join(sorted(q.profiles)) if q.profiles else "",
        "、".join(sorted(q.attributes)) if q.attributes else "",
        f"{q.gender}款" if q.gender else "",
        _budget(q.price) if q.price else "",
        _what(q) if q.type_words else "") if x]
    unmet = _unmet(found)
    head = "亲，" + (unmet + "：" if unmet else ("再给您推荐几款" if more else "按" + "、".join(conditions) + "为您推荐这几款"
                                                   if conditions else "为您推荐这几款") + "：")
    lines = [f"{i}. {r['name']}，{_yuan(r['price'])}（{_why(r, q)}）" for i, r in enumerate(rows, start=1)]
    return head + "\n" + "\n".join(lines) + "\n想了解哪一款？可以说「第一个怎么样」，也可以问价格、尺码、库存～"


# -- care ---------------------------------------------------------------------------------------------------
def care_lines(rows: Sequence[Row]) -> str:
    lines = []
    for r in rows:
        temp = f"，水温不超过 {r['water_temp']}℃" if r.get("water_temp") is not None else ""
        dos = "；".join(r.get("dos") or [])
        donts = "、".join(r.get("donts") or [])
        lines.append(f"【{r['material']}】建议{r['method']}{temp}，{r['drying']}。" + (f"可以：{dos}。" if dos else "")
                     + (f"不要：{donts}。" if donts else ""))
    return "\n".join(lines)


# The ways of washing a shopper asks about by name (能干洗吗 / 可以机洗不 / 能烘干吗)
CARE_METHODS = ("干洗", "机洗", "手洗", "烘干", "熨烫", "水洗", "暴晒", "漂白")
# the machine named instead of the method: 能扔洗衣机洗吗 / 能进烘干机吗
CARE_METHOD_WORDS = (("洗衣机", "机洗"), ("烘干机", "烘干"), ("干衣机", "烘干"), ("熨斗", "熨烫"))


def care_verdict(rows: Sequence[Row], text: str) -> str:
    """能干洗吗: the yes or no first — no when any material of it must not be washed that way (its
    `donts`), yes when each material's method or `dos` is that way — then the details; '' when the
    question names no method or the table says neither."""
    method = next((m for m in CARE_METHODS if m in (text or "")), None) \
        or next((m for word, m in CARE_METHOD_WORDS if word in (text or "")), None)
    if method is None or not rows:
        return ""
    # exactly the method: 高温烘干 is not a no to 烘干 (纯棉 dries 阴干或低温烘干)
    against = [r["material"] for r in rows if method in (r.get("donts") or [])]
    if against:
        return f"不能{method}（{'、'.join(against)}不宜{method}）。"
    if all(method in r.get("method", "") or any(method in d for d in r.get("dos") or []) for r in rows):
        return f"可以{method}。"
    if method == "机洗":
        # 羊毛开衫能扔洗衣机吗: its way is 手洗 (机洗甩干 among the don'ts), so not the machine
        by_hand = [r["material"] for r in rows if "手洗" in r.get("method", "") and "机洗" not in r.get("method", "")]
        if by_hand:
            return f"不建议机洗（{'、'.join(by_hand)}建议手洗）。"
    return ""


def care_fact(row: Row, rows: Sequence[Row], text: str = "") -> str:
    if not rows:
        return "没有特别的洗护要求，按详情页说明使用就好"
    verdict = care_verdict(rows, text)
    return Sentence(f"亲，「{row['name']}」{verdict}洗护方法：\n" + care_lines(rows))


def care_for_material(rows: Sequence[Row]) -> str:
    return "亲，" + care_lines(rows)


# -- stock ---------------------------------------------------------------------------------------------------
def stock_fact(row: Row, variants: Sequence[dict], color: str | None, size: str | None, text: str = "") -> str:
    """Stock of the colour/size asked (or all), from the store's live variant stock."""
    if color is not None and color not in row["colors"]:
        return f"没有{color}，现有颜色：{'、'.join(row['colors'])}"
    if size is not None and size not in row["sizes"]:
        return f"没有 {size} 这个规格，现有：{'、'.join(row['sizes'])}"
    order = {c: i for i, c in enumerate(row["colors"])}, {z: i for i, z in enumerate(row["sizes"])}
    variants = sorted(variants, key=lambda v: (order[0].get(v["color"], 99), order[1].get(v["size"], 99)))
    chosen = [v for v in variants if (color is None or v["color"] == color) and (size is None or v["size"] == size)]
    label = " ".join(x for x in (color, _size_word(size)) if x) or "各规格"
    in_stock = [v for v in chosen if v["stock"] > 0]
    if color and size:
        v = chosen[0] if chosen else None
        if v and v["stock"] > 0:
            few = "，库存不多了，喜欢要尽快下单哦" if v["stock"] <= 5 else ""
            return f"{label}有货（剩 {v['stock']} 件）{few}"
        alts = [_size_word(x["size"]) for x in variants if x["color"] == color and x["stock"] > 0]
        alt = f"，{color}还有：{'、'.join(alts)}" if alts else ""
        return f"{label}暂时缺货，补货后会第一时间上架{alt}"
    if not in_stock:
        return f"{label}目前都缺货了，可以先加购物车，补货有提醒"
    shown = "、".join(f"{v['color']} {_size_word(v['size'])}" for v in in_stock[:12])
    out = [v["color"] for v in chosen if v["stock"] <= 0] if size and not color else []
    gone = f"（{'、'.join(out)} {_size_word(size)}暂时缺货）" if out else ""   # 那39码的呢: which colour is gone too
    return f"{label}有货：{shown}" + ("等" if len(in_stock) > 12 else "") + gone


def _size_word(size: str | None) -> str | None:
    """M → M码, 42 → 42码 (a clothing or shoe size); 500ml, 1.8m床 stay as they are."""
    if size and re.fullmatch(r"X{0,3}[SML]|[2-5]?XL|XS|\d{2,3}", size):
        return f"{size}码"
    return size


# -- size advice ------------------------------------------------------------------------------------------------
def no_size_chart(row: Row) -> str:
    return f"不区分尺码，规格有：{'、'.join(row['sizes'])}"


def size_question(row: Row, chart_needs_foot: bool) -> Sentence:
    return Sentence("亲，麻烦告诉我脚长（厘米），我帮您对照尺码表～" if chart_needs_foot
                    else f"亲，麻烦告诉我身高和体重（例如：175cm 70kg），我帮您推荐「{row['name']}」的尺码～")


def size_fact(row: Row, m: dict, size: str | None) -> str:
    given = "，".join(x for x in (
        f"身高 {m['height']:.0f}cm" if "height" in m else "", f"体重 {m['weight']:.0f}kg" if "weight" in m else "",
        f"脚长 {m['foot']:.0f}mm" if "foot" in m else "") if x)
    if size is None:
        from shop.dialogue.order_tasks import size_order
        largest = f"最大码 {size_order(row['sizes'])[-1]} " if row.get("sizes") else "最大码"
        return f"按{given}，{largest}也可能偏小，建议联系人工客服确认，或看看宽松款"
    return f"按{given}，建议选 {size}，喜欢宽松可以大一码"


# -- a photo instead of a name ------------------------------------------------------------
PHOTO_UNRECOGNISED = ("亲，图片里没能认出是哪款商品，麻烦告诉我商品名称，或者换一张商品完整、背景干净的图片～")


def photo_recognised(row: Row) -> str:
    return f"根据您发的图片，是这款「{row['name']}」。"


def photo_choose_list(rows: Sequence[Row], similarities: Sequence[float]) -> str:
    """The closest products to a photo; several may share one picture, so the shopper picks."""
    lines = [f"{i}. {r['name']}，¥{r['price']:.0f}（图片相似度 {s:.0%}）"
             for i, (r, s) in enumerate(zip(rows, similarities), start=1)]
    return "根据您发的图片，找到这几款相似的商品：\n" + "\n".join(lines) + "\n您问的是哪一款？回复「第几个」就行～"


def names_in(ids: Iterable[str]) -> list[str]:
    """Catalog names of product ids (for reading a question without the names in it)."""
    by_id = _names_by_id()
    return [by_id[i] for i in ids if i in by_id]


@lru_cache(maxsize=1)
def _names_by_id() -> dict:
    from shop.catalog import load_catalog
    return {p["id"]: p["name"] for p in load_catalog().products}


_BY_METRES = re.compile(r"(\d)米(\d)?\s*(?:乘|x|×|\*)\s*(\d)米(\d)?")
_METRES = re.compile(r"(\d)米(\d)(?![\d米])")


def size_by_number(text: str, sizes: Sequence[str]) -> str | None:
    """A size given by its number alone (黑色20000的 → 20000mAh, 500的 → 500ml) or in metres
    (两米乘两米三 → 200x230cm, 一米八的床 → 1.8m床)."""
    from shop.text.numbers import to_digits
    t = to_digits(text or "")
    m = _BY_METRES.search(t)
    if m:
        a = int(m.group(1)) * 100 + int(m.group(2) or 0) * 10
        b = int(m.group(3)) * 100 + int(m.group(4) or 0) * 10
        hits = [z for z in sizes if z.startswith(f"{a}x{b}")]
        if len(hits) == 1:
            return hits[0]
    m = _METRES.search(t)
    if m:
        hits = [z for z in sizes if z.startswith(f"{m.group(1)}.{m.group(2)}m")]
        if len(hits) == 1:
            return hits[0]
    for number in re.findall(r"\d+(?:\.\d+)?", t):
        hits = [z for z in sizes if re.match(re.escape(number) + r"(?!\d)", z)]
        if len(hits) == 1:
            return hits[0]
    return None
