"""What a product question asks — the one table that says it.

The intent says the broad kind of question (ask_stock, ask_care_method …) and gives the
aspect asked when the words name none; the words say which aspects exactly, in the order
asked, so 多少钱 什么面料的 is answered with the price and then the material. Size and
colour alone (那L码呢, 有黑色吗) and body measures (175 70kg) are read by `asked` too.
Facts the catalog does not hold (weight, origin, shelf life) are aspects of their own, so
the assistant can say honestly that it does not know instead of answering something else.
"""
from __future__ import annotations

import re

from dataclasses import dataclass


@dataclass(frozen=True)
class Aspect:
    name: str
    words: tuple[str, ...]
    intents: tuple[str, ...] = ()     # the intents that ask this when no word names an aspect
    known: bool = True                # False: the catalog does not hold this fact


ASPECTS: tuple[Aspect, ...] = (
    Aspect("size_advice", ("什么码", "哪个码", "多大码", "选多大", "穿多大", "穿几码", "尺码建议", "买多大", "要多大",
                           "选什么尺码", "穿什么尺码", "几码合适", "哪个尺码", "码合适", "偏大", "偏小", "选哪个码",
                           "多大的码", "什么尺码", "多大号", "穿多大码", "穿哪个码", "几码", "选几码", "穿啥码", "选啥码", "买啥码",
                           "啥码合适", "要啥码", "拿啥码", "挑啥码", "该啥码", "要什么码", "拿什么码", "要几码", "拿几码"),
           ("ask_size_advice",)),
    Aspect("care", ("怎么洗", "洗涤", "清洗", "保养", "机洗", "手洗", "干洗", "能洗", "怎么打理", "水洗", "洗护", "烘干",
                    "熨烫", "怎么晾", "可以洗", "洗衣机", "怎么清理", "好洗", "清洁", "水温", "几度水", "晾", "晒干",
                    "挂起来", "甩干", "漂白", "泡多久", "怎么收纳", "打理", "变形", "缩水", "起球怎么办"),
           ("ask_care_method",)),
    Aspect("stock", ("有货", "现货", "库存", "补货", "缺货", "有没有货", "卖完", "断货", "到货", "还有吗", "还有没有",
                     "能买吗", "能下单", "卖光", "没货", "货吗"), ("ask_stock",)),
    Aspect("price", ("多少money", "多少钱", "价格", "价钱", "几块", "售价", "什么价", "卖多少", "贵不贵", "贵吗", "多钱", "价位",
                     "怎么卖", "几多钱", "几钱", "啥价", "原价", "多少米", "几米",
                     "多少前", "多少qian"), ("ask_price_promotion",)),   # 前: 钱 mistyped by pinyin (qian)
    Aspect("promotion", ("优惠", "活动", "满减", "折扣", "打折", "券", "降价", "促销", "便宜点吗", "能便宜", "划算吗",
                         "有折", "没折", "几折", "九折", "八折", "七折", "五折", "九五折", "八五折", "9折", "8折",
                         "打个折", "折吗",
                         "有赠品", "送赠品", "减价")),
    Aspect("material", ("材质", "面料", "什么做的", "成分", "材料", "含棉", "什么料", "纯棉吗", "真丝吗", "羊毛吗", "料子",
                        "布料", "质地", "是棉的", "啥做的", "什么材", "全棉吗", "含量", "几成棉", "百分百")),
    Aspect("colors", ("颜色", "什么色", "几种色", "哪些色", "配色", "几个色", "色号", "啥色")),
    Aspect("sizes", ("几根", "几支", "几片", "几粒", "几包", "几个装", "多少支", "多少根", "多少片", "几键", "尺码", "码数", "哪些码", "几个码", "规格", "大小", "容量", "尺寸", "多大", "型号", "有几码",
                     "多长", "多宽", "多厚", "几寸", "多少毫升", "多少ml", "几毫升", "毫升", "有几种", "哪几种",
                     "几种规格", "多少码", "有什么码", "有啥码", "几个规格", "几件套", "几件的", "多少件的", "几件一套",
                     "啥码", "几人", "多少人",
                     # does it fit (my phone, my pillow): the sizes say (通用款, 48x74cm)
                     "套得上", "套不上", "能不能套", "能套上", "适配", "机型")),
    Aspect("season", ("季节", "冬天", "夏天", "春天", "秋天", "冬季", "夏季", "春秋", "保暖吗", "凉快吗", "热不热",
                      "冷不冷", "暖和吗", "暖不暖", "透气吗", "闷不闷")),
    Aspect("scene", ("场合", "场景", "穿去", "适合去", "上班穿", "运动时", "通勤", "约会", "露营", "爬山", "跑步穿",
                     "出差", "旅行", "旅游", "健身")),
    Aspect("profile", ("适合什么人", "适合谁", "敏感肌", "油皮", "干皮", "孕妇", "宝宝", "婴儿", "婴幼儿", "老人", "学生",
                       "能用吗", "上班族", "运动爱好者", "户外爱好者", "儿童", "小孩", "孩子", "男生", "女生", "能穿吗",
                       "可以用吗", "能吃吗", "可以吃吗", "老年人", "怀孕", "孕期", "哺乳期", "能穿不", "能穿么", "可以穿吗",
                       "能用不", "穿得了", "什么肤质", "哪种肤质", "啥肤质", "肤质", "什么皮肤", "哪种皮肤")),
    Aspect("launch", ("上市", "新款", "什么时候出", "哪年", "上新", "新品")),
    Aspect("features", ("特点", "功能", "怎么样", "好不好", "优点", "卖点", "介绍", "好用吗", "值得买", "值不值",
                        "区别", "哪个好", "推荐哪个", "有什么不同", "靠谱吗", "质量怎么样", "质量好吗")),
    Aspect("shipping", ("运费", "邮费", "包邮", "快递费", "几天到", "多久到", "几天能到", "发货", "发什么快递",
                        "顺丰", "偏远", "寄到", "能寄", "港澳台", "香港", "澳门", "台湾", "海外", "国外", "包不包邮",
                        "凑单", "凑到"), ("ask_shipping_policy",)),
    Aspect("weight", ("多重", "重量", "几斤重", "重不重", "多少克", "有多重", "轻不轻"), known=False),
    Aspect("origin", ("产地", "哪里产", "哪里生产", "哪里的", "国产", "进口", "哪个国家", "厂家", "品牌"), known=False),
    Aspect("shelf_life", ("保质期", "生产日期", "过期", "放多久", "能放多久", "有效期"), known=False),
    Aspect("authenticity", ("正品", "假货", "质检", "检测报告", "认证", "3c"), known=False),
)
BY_NAME = {a.name: a for a in ASPECTS}
# Aspects a question about a product is answered with when nothing more specific is asked.
SUMMARY = "summary"
# Aspects about a kind of product rather than one product (a list answers them).
LISTING = "list"


def default_for(intent: str | None) -> str | None:
    """The aspect an intent asks when the words name none (ask_stock → stock), else None."""
    return next((a.name for a in ASPECTS if intent in a.intents), None)


_SHIPPING_FEE = re.compile(r"(?:运费险|运费|邮费|快递费|寄费)[^，。？?,！!\s]{0,4}?(?:多少钱|多少|几块钱|几块|几元|怎么算|价格)")


def asked(text: str) -> list[str]:
    """Aspects the words name, in the order they appear (each once); '' → []."""
    text = (text or "").lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _SHIPPING_FEE.finditer(text):   # 运费多少钱 / 快递费几块 price the shipping, not the goods
        taken.append(m.span())
        found.append((m.start(), "shipping"))
    # Longer words first, so 穿多大码 (size advice) is not also read as 多大 (sizes).
    words = sorted(((w, a.name) for a in ASPECTS for w in a.words), key=lambda x: -len(x[0]))
    for word, name in words:
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if not any(a < end and start < b for a, b in taken):
                taken.append((start, end))
                found.append((start, name))
            start = text.find(word, end)
    seen: list[str] = []
    for _, name in sorted(found):
        if name not in seen:
            seen.append(name)
    return seen
