"""Deterministic catalog generator: writes products.csv, variants.csv and images.

The curated knowledge (categories, materials → care, size charts) is hand-written
YAML next to the output; this script only expands product templates into ≥300
products with a fixed seed, so `python -m shop.catalog.generate` regenerates
byte-identical files (the PNGs carry no timestamps).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw

from shop.catalog import DATA_DIR, IMAGES_DIR, LIST_SEP

SEED = 20260901
PER_TEMPLATE = 3  # name variants generated from each template
ALL_SEASONS = ["春", "夏", "秋", "冬"]

# RGB of each colour name, used for the product image's main colour.
COLORS = {
    "黑色": (28, 28, 30), "白色": (246, 246, 242), "灰色": (140, 140, 145),
    "藏青色": (30, 42, 80), "米色": (232, 220, 195), "卡其色": (190, 165, 120),
    "红色": (200, 40, 45), "粉色": (240, 160, 180), "蓝色": (50, 110, 200),
    "绿色": (60, 140, 80), "黄色": (240, 200, 60), "紫色": (130, 80, 160),
    "棕色": (120, 80, 50), "橙色": (240, 130, 40), "银色": (200, 200, 205),
    "原木色": (200, 160, 110),
}

# Template fields: base name, materials, colours, sizes, price range, seasons,
# scenes, profiles, tags. Seasons None = all year.
T = dict
TEMPLATES: dict[str, list[dict]] = {
    "apparel": [
        T(base="纯棉圆领T恤", mat=["纯棉"], col=["白色", "黑色", "灰色", "藏青色"], sz="S M L XL XXL", price=(49, 129), season=["春", "夏"], scene=["通勤", "居家", "旅行"], prof=["学生", "上班族", "敏感肌"], tags=["透气", "百搭", "亲肤"]),
        T(base="真丝衬衫", mat=["真丝"], col=["白色", "米色", "粉色"], sz="S M L XL", price=(399, 899), season=["春", "夏", "秋"], scene=["通勤", "约会", "办公"], prof=["上班族"], tags=["垂坠", "光泽", "高级感"]),
        T(base="羊毛针织开衫", mat=["羊毛"], col=["米色", "灰色", "卡其色", "藏青色"], sz="S M L XL", price=(259, 599), season=["秋", "冬"], scene=["通勤", "约会"], prof=["上班族", "老人"], tags=["保暖", "柔软"]),
        T(base="羊绒大衣", mat=["羊绒", "羊毛"], col=["卡其色", "黑色", "灰色"], sz="S M L XL", price=(1299, 2999), season=["冬"], scene=["通勤", "约会", "聚会"], prof=["上班族"], tags=["保暖", "高级感", "双面呢"]),
        T(base="连帽羽绒服", mat=["羽绒", "锦纶"], col=["黑色", "白色", "藏青色", "红色"], sz="S M L XL XXL", price=(499, 1399), season=["冬"], scene=["通勤", "旅行", "户外运动"], prof=["学生", "上班族", "老人"], tags=["保暖", "防风", "90白鸭绒"]),
        T(base="直筒牛仔裤", mat=["牛仔布", "氨纶"], col=["蓝色", "黑色"], sz="S M L XL XXL", price=(149, 359), season=None, scene=["通勤", "旅行", "约会"], prof=["学生", "上班族"], tags=["百搭", "显瘦", "微弹"]),
        T(base="亚麻阔腿裤", mat=["亚麻"], col=["米色", "白色", "卡其色"], sz="S M L XL", price=(169, 329), season=["夏"], scene=["通勤", "旅行"], prof=["上班族", "孕妇"], tags=["透气", "凉爽", "宽松"]),
        T(base="碎花连衣裙", mat=["涤纶"], col=["粉色", "蓝色", "黄色"], sz="S M L XL", price=(199, 459), season=["春", "夏"], scene=["约会", "旅行", "聚会"], prof=["学生", "上班族"], tags=["法式", "显瘦", "收腰"]),
        T(base="加绒卫衣", mat=["纯棉", "涤纶"], col=["灰色", "黑色", "米色", "绿色"], sz="S M L XL XXL", price=(129, 269), season=["秋", "冬"], scene=["居家", "通勤", "健身"], prof=["学生"], tags=["保暖", "宽松", "加绒"]),
        T(base="莫代尔家居服套装", mat=["莫代尔"], col=["粉色", "灰色", "藏青色"], sz="S M L XL", price=(159, 299), season=None, scene=["居家", "睡眠"], prof=["孕妇", "敏感肌", "老人"], tags=["亲肤", "柔软", "弹力"]),
        T(base="西装外套", mat=["涤纶", "羊毛"], col=["黑色", "藏青色", "灰色"], sz="S M L XL XXL", price=(459, 1099), season=["春", "秋"], scene=["通勤", "办公", "聚会"], prof=["上班族"], tags=["修身", "商务", "挺括"]),
        T(base="孕妇连衣裙", mat=["莫代尔", "纯棉"], col=["米色", "藏青色", "粉色"], sz="M L XL XXL", price=(169, 369), season=["春", "夏"], scene=["居家", "通勤"], prof=["孕妇", "敏感肌"], tags=["宽松", "孕期可穿", "亲肤"]),
    ],
    "shoes": [
        T(base="真皮乐福鞋", mat=["真皮", "橡胶"], col=["黑色", "棕色"], sz="38 39 40 41 42 43", price=(399, 899), season=["春", "秋"], scene=["通勤", "办公", "约会"], prof=["上班族"], tags=["头层牛皮", "商务", "舒适"]),
        T(base="网面跑步鞋", mat=["网布", "橡胶"], col=["白色", "黑色", "蓝色", "橙色"], sz="36 37 38 39 40 41 42 43 44", price=(299, 799), season=["春", "夏", "秋"], scene=["健身", "户外运动", "通勤"], prof=["运动爱好者", "学生"], tags=["透气", "缓震", "轻量"]),
        T(base="帆布鞋", mat=["纯棉", "橡胶"], col=["白色", "黑色", "红色"], sz="35 36 37 38 39 40 41 42 43 44", price=(89, 249), season=["春", "夏", "秋"], scene=["通勤", "旅行", "约会"], prof=["学生"], tags=["百搭", "经典", "休闲"]),
        T(base="加绒雪地靴", mat=["真皮", "羊毛", "橡胶"], col=["卡其色", "黑色", "灰色"], sz="35 36 37 38 39 40 41", price=(259, 599), season=["冬"], scene=["通勤", "旅行"], prof=["学生", "老人"], tags=["保暖", "防滑", "加绒"]),
        T(base="中老年健步鞋", mat=["网布", "橡胶"], col=["黑色", "灰色", "藏青色"], sz="36 37 38 39 40 41 42 43", price=(159, 359), season=None, scene=["户外运动", "居家"], prof=["老人"], tags=["防滑", "软底", "轻便"]),
        T(base="厚底老爹鞋", mat=["真皮", "网布", "橡胶"], col=["白色", "米色", "粉色"], sz="35 36 37 38 39 40", price=(259, 559), season=["春", "秋"], scene=["通勤", "约会", "旅行"], prof=["学生"], tags=["增高", "潮流", "百搭"]),
        T(base="防滑沙滩凉鞋", mat=["橡胶"], col=["黑色", "蓝色", "绿色"], sz="36 37 38 39 40 41 42 43 44", price=(69, 189), season=["夏"], scene=["旅行", "户外运动"], prof=["学生", "户外爱好者"], tags=["防滑", "速干", "轻便"]),
        T(base="马丁靴", mat=["真皮", "橡胶"], col=["黑色", "棕色"], sz="35 36 37 38 39 40 41 42 43", price=(399, 899), season=["秋", "冬"], scene=["通勤", "旅行", "约会"], prof=["学生", "上班族"], tags=["复古", "耐磨", "英伦"]),
        T(base="孕妇一脚蹬软底鞋", mat=["网布", "橡胶"], col=["黑色", "米色", "粉色"], sz="35 36 37 38 39 40", price=(129, 269), season=None, scene=["居家", "通勤"], prof=["孕妇"], tags=["软底", "防滑", "免弯腰"]),
        T(base="登山徒步鞋", mat=["真皮", "网布", "橡胶"], col=["卡其色", "灰色", "绿色"], sz="37 38 39 40 41 42 43 44", price=(399, 999), season=["春", "秋"], scene=["登山", "徒步", "露营"], prof=["户外爱好者", "运动爱好者"], tags=["防水", "防滑", "抓地"]),
        T(base="小白鞋", mat=["真皮", "橡胶"], col=["白色"], sz="35 36 37 38 39 40 41 42 43 44", price=(199, 499), season=["春", "夏", "秋"], scene=["通勤", "约会"], prof=["学生", "上班族"], tags=["百搭", "简约", "经典"]),
        T(base="居家棉拖鞋", mat=["珊瑚绒", "橡胶"], col=["粉色", "灰色", "藏青色"], sz="36 37 38 39 40 41 42 43", price=(29, 79), season=["秋", "冬"], scene=["居家"], prof=["老人", "孕妇"], tags=["保暖", "静音", "防滑"]),
    ],
    "skincare": [
        T(base="氨基酸洁面乳", mat=["PC塑料"], col=["白色"], sz="100ml 150ml", price=(59, 139), season=None, scene=["居家", "旅行"], prof=["敏感肌", "干皮", "孕妇"], tags=["温和配方", "无皂基", "清洁"]),
        T(base="控油清爽爽肤水", mat=["PC塑料"], col=["蓝色"], sz="150ml 250ml", price=(79, 189), season=["春", "夏"], scene=["居家", "通勤"], prof=["油皮", "学生"], tags=["控油", "收敛毛孔", "清爽"]),
        T(base="高保湿修护面霜", mat=["玻璃瓶"], col=["白色", "粉色"], sz="30ml 50ml", price=(159, 459), season=["秋", "冬"], scene=["居家", "睡眠"], prof=["干皮", "敏感肌", "老人"], tags=["保湿", "修护屏障", "温和配方"]),
        T(base="清透防晒霜SPF50+", mat=["PC塑料"], col=["白色", "橙色"], sz="30ml 50ml", price=(89, 239), season=["春", "夏"], scene=["户外运动", "旅行", "通勤", "露营"], prof=["油皮", "运动爱好者", "户外爱好者"], tags=["防晒", "防水防汗", "清爽不油腻"]),
        T(base="孕妇可用保湿精华", mat=["玻璃瓶"], col=["白色"], sz="30ml 50ml", price=(199, 399), season=None, scene=["居家"], prof=["孕妇", "敏感肌", "干皮"], tags=["温和配方", "无酒精", "无香精"]),
        T(base="丝绒哑光口红", mat=["铝合金"], col=["红色", "粉色", "橙色"], sz="3.5g", price=(149, 329), season=None, scene=["约会", "聚会", "通勤"], prof=["上班族", "学生"], tags=["显白", "持久", "哑光"]),
        T(base="温和卸妆水", mat=["PC塑料"], col=["粉色", "白色"], sz="200ml 400ml", price=(69, 159), season=None, scene=["居家", "旅行"], prof=["敏感肌", "油皮", "干皮"], tags=["温和配方", "卸妆", "免洗"]),
        T(base="补水面膜", mat=["纸质包装"], col=["蓝色", "白色"], sz="5片装 10片装", price=(59, 169), season=None, scene=["居家", "睡眠"], prof=["干皮", "敏感肌"], tags=["补水", "舒缓", "温和配方"]),
        T(base="烟酰胺身体乳", mat=["PC塑料"], col=["白色", "黄色"], sz="200ml 400ml", price=(59, 159), season=["秋", "冬"], scene=["居家"], prof=["干皮"], tags=["保湿", "提亮", "滋润"]),
        T(base="男士控油洗面奶", mat=["PC塑料"], col=["黑色", "蓝色"], sz="100ml 150ml", price=(39, 99), season=None, scene=["居家", "健身"], prof=["油皮", "运动爱好者"], tags=["控油", "深层清洁", "清爽"]),
        T(base="儿童霜", mat=["PC塑料"], col=["黄色", "白色"], sz="50g 100g", price=(49, 129), season=["秋", "冬"], scene=["居家"], prof=["婴幼儿", "儿童", "敏感肌"], tags=["温和配方", "无香精", "保湿"]),
        T(base="抗皱紧致眼霜", mat=["玻璃瓶"], col=["白色", "紫色"], sz="15ml 20ml", price=(199, 599), season=None, scene=["居家", "睡眠"], prof=["老人", "干皮"], tags=["抗皱", "紧致", "淡化细纹"]),
    ],
    "home_textile": [
        T(base="纯棉四件套", mat=["纯棉"], col=["白色", "灰色", "蓝色", "粉色"], sz="1.5m床 1.8m床 2.0m床", price=(199, 599), season=None, scene=["睡眠", "居家"], prof=["敏感肌", "婴幼儿", "老人"], tags=["亲肤", "透气", "A类"]),
        T(base="真丝枕套", mat=["真丝"], col=["白色", "粉色", "米色"], sz="48x74cm", price=(129, 329), season=["夏"], scene=["睡眠"], prof=["敏感肌", "干皮"], tags=["顺滑", "护发", "桑蚕丝"]),
        T(base="珊瑚绒毛毯", mat=["珊瑚绒"], col=["灰色", "粉色", "米色"], sz="150x200cm 200x230cm", price=(79, 199), season=["秋", "冬"], scene=["居家", "睡眠"], prof=["老人", "学生"], tags=["保暖", "柔软", "不掉毛"]),
        T(base="天然乳胶枕", mat=["乳胶"], col=["白色"], sz="60x40cm", price=(159, 459), season=None, scene=["睡眠"], prof=["上班族", "老人"], tags=["护颈", "透气", "回弹"]),
        T(base="竹纤维毛巾", mat=["竹纤维"], col=["白色", "蓝色", "粉色", "灰色"], sz="34x76cm", price=(29, 79), season=None, scene=["居家", "旅行"], prof=["敏感肌", "婴幼儿"], tags=["吸水", "抑菌", "柔软"]),
        T(base="白鹅绒羽绒被", mat=["羽绒", "纯棉"], col=["白色"], sz="1.5m床 1.8m床 2.0m床", price=(799, 2199), season=["冬"], scene=["睡眠"], prof=["老人", "上班族"], tags=["保暖", "蓬松", "轻盈"]),
        T(base="亚麻凉席三件套", mat=["亚麻"], col=["米色", "灰色"], sz="1.5m床 1.8m床", price=(199, 499), season=["夏"], scene=["睡眠", "居家"], prof=["上班族", "孕妇"], tags=["凉爽", "透气", "可折叠"]),
        T(base="纱布盖毯", mat=["纯棉"], col=["白色", "黄色", "绿色"], sz="120x150cm 150x200cm", price=(99, 259), season=["春", "夏"], scene=["睡眠", "居家"], prof=["婴幼儿", "孕妇", "敏感肌"], tags=["亲肤", "透气", "六层纱"]),
        T(base="羊毛床垫褥子", mat=["羊毛", "纯棉"], col=["米色", "白色"], sz="1.5m床 1.8m床", price=(299, 799), season=["秋", "冬"], scene=["睡眠"], prof=["老人"], tags=["保暖", "防潮", "加厚"]),
        T(base="遮光窗帘", mat=["涤纶"], col=["灰色", "米色", "藏青色"], sz="1.5x2.7m 2.0x2.7m", price=(99, 299), season=None, scene=["居家", "睡眠"], prof=["上班族"], tags=["遮光", "隔热", "免打孔"]),
        T(base="莫代尔抱枕", mat=["莫代尔"], col=["粉色", "灰色"], sz="45x45cm", price=(39, 99), season=None, scene=["居家"], prof=["孕妇", "学生"], tags=["柔软", "可拆洗"]),
        T(base="防水隔尿垫", mat=["竹纤维", "TPU"], col=["白色", "蓝色", "粉色"], sz="70x120cm 120x200cm", price=(49, 139), season=None, scene=["睡眠", "居家"], prof=["婴幼儿", "老人"], tags=["防水", "透气", "可机洗"]),
    ],
    "kitchen": [
        T(base="不锈钢炒锅", mat=["不锈钢"], col=["银色"], sz="30cm 32cm", price=(199, 599), season=None, scene=["烹饪", "居家"], prof=["上班族"], tags=["无涂层", "少油烟", "燃气电磁通用"]),
        T(base="铸铁珐琅锅", mat=["铸铁"], col=["红色", "绿色", "黑色"], sz="20cm 24cm", price=(299, 899), season=["秋", "冬"], scene=["烹饪", "聚会"], prof=["上班族"], tags=["炖煮", "保温", "锁水"]),
        T(base="陶瓷餐具套装", mat=["陶瓷"], col=["白色", "蓝色"], sz="10件套 18件套", price=(129, 399), season=None, scene=["居家", "送礼", "聚会"], prof=["上班族", "老人"], tags=["釉下彩", "可微波", "简约"]),
        T(base="耐高温硅胶铲", mat=["硅胶", "木质"], col=["黑色", "灰色", "绿色"], sz="3件套 5件套", price=(29, 89), season=None, scene=["烹饪"], prof=["上班族"], tags=["不伤锅", "耐高温", "食品级"]),
        T(base="玻璃保鲜盒", mat=["玻璃", "PC塑料"], col=["白色", "蓝色"], sz="3件套 5件套", price=(59, 159), season=None, scene=["烹饪", "办公"], prof=["上班族", "学生"], tags=["可微波", "密封", "带饭"]),
        T(base="乌檀木砧板", mat=["木质"], col=["原木色"], sz="35x25cm 40x28cm", price=(79, 199), season=None, scene=["烹饪"], prof=["上班族"], tags=["整木", "防霉", "耐用"]),
        T(base="宝宝辅食锅", mat=["不锈钢", "陶瓷"], col=["白色", "粉色", "蓝色"], sz="16cm 18cm", price=(99, 259), season=None, scene=["烹饪"], prof=["婴幼儿"], tags=["辅食", "不粘", "小巧"]),
        T(base="不锈钢保温杯", mat=["不锈钢"], col=["黑色", "白色", "粉色", "绿色"], sz="350ml 500ml", price=(69, 199), season=["秋", "冬"], scene=["通勤", "办公", "户外运动"], prof=["学生", "上班族", "老人"], tags=["保温", "316不锈钢", "便携"]),
        T(base="陶瓷不粘煎锅", mat=["铝合金", "陶瓷"], col=["白色", "绿色"], sz="24cm 28cm", price=(129, 329), season=None, scene=["烹饪"], prof=["上班族"], tags=["不粘", "少油", "早餐锅"]),
        T(base="硅胶冰格", mat=["硅胶"], col=["蓝色", "粉色"], sz="24格", price=(19, 49), season=["夏"], scene=["居家", "聚会"], prof=["学生"], tags=["易脱模", "食品级", "带盖"]),
        T(base="玻璃茶壶", mat=["玻璃", "不锈钢"], col=["白色"], sz="600ml 1000ml", price=(59, 159), season=None, scene=["办公", "居家", "送礼"], prof=["上班族", "老人"], tags=["耐热", "过滤", "明火可用"]),
        T(base="木质筷子10双装", mat=["木质"], col=["原木色", "棕色"], sz="10双", price=(29, 69), season=None, scene=["居家"], prof=["老人", "上班族"], tags=["无漆无蜡", "防滑"]),
    ],
    "digital": [
        T(base="磁吸手机壳", mat=["TPU", "PC塑料"], col=["黑色", "白色", "紫色", "蓝色"], sz="iPhone15 iPhone16 iPhone16Pro", price=(39, 129), season=None, scene=["通勤", "旅行"], prof=["学生", "上班族"], tags=["防摔", "磁吸", "轻薄"]),
        T(base="快充充电宝", mat=["铝合金", "PC塑料"], col=["黑色", "白色", "银色"], sz="10000mAh 20000mAh", price=(99, 299), season=None, scene=["旅行", "通勤", "露营"], prof=["学生", "上班族"], tags=["快充", "可登机", "便携"]),
        T(base="降噪蓝牙耳机", mat=["PC塑料"], col=["黑色", "白色"], sz="标准版", price=(199, 999), season=None, scene=["通勤", "健身", "旅行", "办公"], prof=["学生", "上班族", "运动爱好者"], tags=["主动降噪", "长续航", "低延迟"]),
        T(base="编织快充数据线", mat=["锦纶", "TPU"], col=["黑色", "白色", "红色"], sz="1m 2m", price=(29, 79), season=None, scene=["办公", "旅行"], prof=["学生", "上班族"], tags=["耐弯折", "快充", "编织"]),
        T(base="笔记本电脑支架", mat=["铝合金"], col=["银色", "灰色"], sz="通用款", price=(89, 259), season=None, scene=["办公"], prof=["上班族", "学生"], tags=["升降", "散热", "护颈"]),
        T(base="静音无线鼠标", mat=["PC塑料"], col=["黑色", "白色", "粉色"], sz="标准版", price=(49, 199), season=None, scene=["办公"], prof=["上班族", "学生"], tags=["静音", "无线", "人体工学"]),
        T(base="机械键盘", mat=["PC塑料", "铝合金"], col=["黑色", "白色"], sz="87键 104键", price=(199, 699), season=None, scene=["办公"], prof=["上班族", "学生"], tags=["热插拔", "RGB", "三模"]),
        T(base="大字老人手机壳", mat=["TPU"], col=["黑色", "红色"], sz="通用款", price=(29, 69), season=None, scene=["居家"], prof=["老人"], tags=["防摔", "挂绳", "防滑"]),
        T(base="运动手环表带", mat=["硅胶"], col=["黑色", "粉色", "绿色", "橙色"], sz="S M L", price=(29, 89), season=None, scene=["健身", "户外运动"], prof=["运动爱好者"], tags=["透气", "防汗", "快拆"]),
        T(base="桌面无线充电器", mat=["铝合金", "PC塑料"], col=["黑色", "白色"], sz="15W", price=(79, 229), season=None, scene=["办公", "居家"], prof=["上班族"], tags=["无线充", "立式", "快充"]),
        T(base="平板电脑保护套", mat=["TPU", "PC塑料"], col=["灰色", "蓝色", "粉色"], sz="11英寸 13英寸", price=(59, 169), season=None, scene=["办公", "旅行"], prof=["学生", "上班族"], tags=["防摔", "支架", "轻薄"]),
        T(base="户外防水蓝牙音箱", mat=["橡胶", "PC塑料"], col=["黑色", "绿色", "蓝色"], sz="标准版", price=(199, 599), season=["夏"], scene=["露营", "户外运动", "聚会"], prof=["户外爱好者"], tags=["IP67防水", "长续航", "低音"]),
    ],
    "baby": [
        T(base="纯棉婴儿连体衣", mat=["纯棉"], col=["白色", "黄色", "粉色", "蓝色"], sz="59 66 73 80 90", price=(69, 169), season=None, scene=["居家", "睡眠"], prof=["婴幼儿", "敏感肌"], tags=["A类", "无骨缝制", "亲肤"]),
        T(base="儿童羽绒服", mat=["羽绒", "锦纶"], col=["红色", "粉色", "藏青色"], sz="80 90 100", price=(299, 699), season=["冬"], scene=["户外运动", "旅行"], prof=["婴幼儿", "儿童"], tags=["保暖", "轻薄", "防风"]),
        T(base="宽口径硅胶奶瓶", mat=["硅胶"], col=["白色", "蓝色", "粉色"], sz="160ml 240ml", price=(89, 199), season=None, scene=["居家", "旅行"], prof=["婴幼儿"], tags=["防胀气", "食品级", "仿母乳"]),
        T(base="六层纱布浴巾", mat=["纯棉"], col=["白色", "黄色", "绿色"], sz="95x95cm 110x110cm", price=(59, 139), season=None, scene=["居家"], prof=["婴幼儿", "敏感肌"], tags=["吸水", "柔软", "A类"]),
        T(base="婴儿防晒霜", mat=["PC塑料"], col=["白色"], sz="30ml 50ml", price=(79, 169), season=["春", "夏"], scene=["户外运动", "旅行"], prof=["婴幼儿", "敏感肌"], tags=["物理防晒", "温和配方", "无香精"]),
        T(base="宝宝学步鞋", mat=["真皮", "橡胶"], col=["白色", "粉色", "蓝色"], sz="73 80 90", price=(99, 229), season=["春", "秋"], scene=["户外运动", "居家"], prof=["婴幼儿"], tags=["软底", "防滑", "护脚踝"]),
        T(base="婴儿睡袋", mat=["纯棉", "竹纤维"], col=["米色", "粉色", "蓝色"], sz="66 73 80 90", price=(129, 329), season=["秋", "冬"], scene=["睡眠"], prof=["婴幼儿"], tags=["防踢被", "恒温", "A类"]),
        T(base="莫代尔孕妇哺乳内衣", mat=["莫代尔", "氨纶"], col=["米色", "粉色", "黑色"], sz="M L XL XXL", price=(79, 199), season=None, scene=["居家", "睡眠"], prof=["孕妇"], tags=["无钢圈", "前开扣", "亲肤"]),
        T(base="婴儿硅胶围兜", mat=["硅胶"], col=["黄色", "绿色", "粉色"], sz="均码", price=(29, 69), season=None, scene=["居家", "烹饪"], prof=["婴幼儿"], tags=["防水", "立体接饭兜", "易清洗"]),
        T(base="儿童保温水杯", mat=["不锈钢", "硅胶"], col=["蓝色", "粉色", "黄色"], sz="350ml 450ml", price=(79, 189), season=["秋", "冬"], scene=["户外运动", "旅行"], prof=["儿童"], tags=["防漏", "吸管", "保温"]),
        T(base="纯棉口水巾", mat=["纯棉"], col=["白色", "黄色", "蓝色"], sz="5条装 10条装", price=(29, 69), season=None, scene=["居家"], prof=["婴幼儿"], tags=["吸水", "柔软", "A类"]),
        T(base="婴儿竹纤维抱被", mat=["竹纤维"], col=["白色", "粉色", "蓝色"], sz="90x90cm", price=(89, 199), season=["春", "夏"], scene=["睡眠", "居家"], prof=["婴幼儿", "敏感肌"], tags=["透气", "抑菌", "柔软"]),
    ],
    "outdoor": [
        T(base="三合一冲锋衣", mat=["锦纶", "涤纶"], col=["黑色", "蓝色", "红色", "绿色"], sz="S M L XL XXL", price=(399, 1299), season=["春", "秋", "冬"], scene=["登山", "徒步", "露营", "户外运动"], prof=["户外爱好者", "运动爱好者"], tags=["防水", "防风", "透气"]),
        T(base="速干运动T恤", mat=["涤纶", "氨纶"], col=["黑色", "白色", "蓝色", "橙色"], sz="S M L XL XXL", price=(59, 159), season=["春", "夏"], scene=["健身", "户外运动", "徒步"], prof=["运动爱好者"], tags=["速干", "透气", "排汗"]),
        T(base="高腰瑜伽裤", mat=["锦纶", "氨纶"], col=["黑色", "紫色", "灰色", "粉色"], sz="S M L XL", price=(99, 299), season=None, scene=["健身"], prof=["运动爱好者", "上班族"], tags=["高弹", "提臀", "裸感"]),
        T(base="冰丝防晒衣", mat=["锦纶"], col=["白色", "粉色", "蓝色", "黑色"], sz="S M L XL XXL", price=(89, 229), season=["夏"], scene=["户外运动", "通勤", "旅行", "露营"], prof=["户外爱好者", "学生", "敏感肌"], tags=["防晒", "UPF50+", "凉感"]),
        T(base="双人露营帐篷", mat=["涤纶", "铝合金"], col=["绿色", "卡其色"], sz="2人 3-4人", price=(299, 899), season=["春", "夏", "秋"], scene=["露营", "户外运动"], prof=["户外爱好者"], tags=["速开", "防雨", "通风"]),
        T(base="轻量登山包", mat=["锦纶"], col=["黑色", "灰色", "橙色"], sz="30L 45L", price=(199, 599), season=None, scene=["登山", "徒步", "旅行"], prof=["户外爱好者"], tags=["背负系统", "防泼水", "轻量"]),
        T(base="折叠露营椅", mat=["铝合金", "涤纶"], col=["卡其色", "绿色", "黑色"], sz="标准款 加大款", price=(99, 299), season=["春", "夏", "秋"], scene=["露营", "户外运动"], prof=["户外爱好者", "老人"], tags=["折叠", "承重", "便携"]),
        T(base="加厚瑜伽垫", mat=["橡胶"], col=["紫色", "绿色", "粉色", "蓝色"], sz="6mm 10mm", price=(69, 199), season=None, scene=["健身", "居家"], prof=["运动爱好者", "孕妇"], tags=["防滑", "回弹", "环保"]),
        T(base="登山杖", mat=["铝合金", "橡胶"], col=["黑色", "银色"], sz="伸缩款", price=(79, 219), season=None, scene=["登山", "徒步"], prof=["户外爱好者", "老人"], tags=["减震", "轻量", "三节伸缩"]),
        T(base="抓绒保暖外套", mat=["涤纶"], col=["灰色", "藏青色", "卡其色"], sz="S M L XL XXL", price=(129, 329), season=["秋", "冬"], scene=["露营", "徒步", "户外运动"], prof=["户外爱好者", "老人"], tags=["保暖", "抓绒", "轻便"]),
        T(base="运动速干短裤", mat=["涤纶", "氨纶"], col=["黑色", "灰色", "蓝色"], sz="S M L XL XXL", price=(59, 149), season=["夏"], scene=["健身", "户外运动"], prof=["运动爱好者"], tags=["速干", "透气", "防走光内衬"]),
        T(base="户外防晒渔夫帽", mat=["锦纶"], col=["白色", "卡其色", "黑色"], sz="M L", price=(49, 129), season=["夏"], scene=["户外运动", "露营", "旅行"], prof=["户外爱好者", "学生"], tags=["防晒", "UPF50+", "可折叠"]),
    ],
    "food": [
        T(base="每日坚果礼盒", mat=["纸质包装"], col=["黄色", "红色"], sz="750g 1050g", price=(89, 199), season=None, scene=["送礼", "办公", "旅行"], prof=["孕妇", "学生", "老人"], tags=["混合坚果", "独立小包", "无添加"]),
        T(base="冷萃挂耳咖啡", mat=["纸质包装"], col=["棕色", "黑色"], sz="10包 30包", price=(49, 139), season=None, scene=["办公", "通勤", "露营"], prof=["上班族", "学生"], tags=["阿拉比卡", "中度烘焙", "提神"]),
        T(base="即食燕麦片", mat=["纸质包装"], col=["米色", "黄色"], sz="500g 1000g", price=(29, 79), season=None, scene=["居家", "办公", "健身"], prof=["上班族", "老人", "运动爱好者"], tags=["高纤维", "无蔗糖", "饱腹"]),
        T(base="新疆和田大枣", mat=["纸质包装"], col=["红色"], sz="500g 1000g", price=(39, 109), season=["秋", "冬"], scene=["居家", "送礼"], prof=["孕妇", "老人"], tags=["补气血", "免洗", "肉厚"]),
        T(base="明前龙井绿茶", mat=["纸质包装"], col=["绿色"], sz="100g 250g", price=(159, 699), season=["春"], scene=["办公", "送礼"], prof=["上班族", "老人"], tags=["明前茶", "清香", "礼盒装"]),
        T(base="无糖全麦饼干", mat=["纸质包装"], col=["棕色", "米色"], sz="500g", price=(29, 69), season=None, scene=["办公", "旅行", "健身"], prof=["老人", "运动爱好者"], tags=["无蔗糖", "粗粮", "低GI"]),
        T(base="成熟百花蜂蜜", mat=["玻璃瓶"], col=["黄色", "橙色"], sz="500g 1000g", price=(49, 159), season=None, scene=["居家", "送礼"], prof=["老人", "上班族"], tags=["天然", "成熟蜜", "无添加"]),
        T(base="孕妇营养奶粉", mat=["纸质包装"], col=["白色", "粉色"], sz="400g 800g", price=(129, 299), season=None, scene=["居家"], prof=["孕妇"], tags=["叶酸", "DHA", "低脂"]),
        T(base="中老年高钙奶粉", mat=["纸质包装"], col=["白色", "蓝色"], sz="400g 800g", price=(79, 199), season=None, scene=["居家", "送礼"], prof=["老人"], tags=["高钙", "无蔗糖", "益生菌"]),
        T(base="宝宝米粉", mat=["纸质包装"], col=["白色", "黄色"], sz="225g 450g", price=(59, 129), season=None, scene=["居家"], prof=["婴幼儿"], tags=["高铁", "辅食", "无添加"]),
        T(base="蛋白能量棒", mat=["纸质包装"], col=["棕色", "橙色"], sz="12支装 24支装", price=(59, 159), season=None, scene=["健身", "户外运动", "登山"], prof=["运动爱好者", "户外爱好者"], tags=["高蛋白", "代餐", "便携"]),
        T(base="五常稻花香大米", mat=["纸质包装"], col=["白色"], sz="2.5kg 5kg", price=(49, 129), season=["秋"], scene=["居家", "烹饪"], prof=["老人", "上班族"], tags=["当季新米", "软糯", "东北大米"]),
    ],
}

# Name prefixes per category: several products per template, realistic names.
PREFIXES = {
    "apparel": ["简约", "宽松", "修身", "复古", "基础款", "法式", "韩版", "轻奢"],
    "shoes": ["经典", "轻便", "时尚", "舒适", "复古", "透气", "百搭", "新款"],
    "skincare": ["温和", "专研", "植萃", "积雪草", "玻尿酸", "神经酰胺", "清润", "臻萃"],
    "home_textile": ["北欧风", "简约", "日式", "A类", "加厚", "柔软", "全棉", "轻奢"],
    "kitchen": ["家用", "日式", "加厚", "多功能", "大容量", "德式", "轻量", "经典"],
    "digital": ["超薄", "便携", "新款", "高速", "迷你", "商务", "轻量", "多功能"],
    "baby": ["新生儿", "A类", "婴幼儿", "宝宝", "四季款", "柔软", "安心", "萌趣"],
    "outdoor": ["专业", "轻量", "户外", "多功能", "加厚", "便携", "防风", "城市"],
    "food": ["精选", "原味", "家庭装", "有机", "特级", "礼盒装", "低糖", "臻选"],
}
SUFFIXES = {"apparel": ["男款", "女款", "男女同款", ""], "shoes": ["男款", "女款", ""],
            "outdoor": ["男款", "女款", ""]}

# Simple shape drawn in the image, per category (the colour carries the product).
SHAPES = {"apparel": "shirt", "shoes": "shoe", "skincare": "bottle", "home_textile": "square",
          "kitchen": "circle", "digital": "phone", "baby": "circle", "outdoor": "triangle",
          "food": "box"}


def _price(rng: random.Random, low: int, high: int) -> float:
    # Shop prices end in 9: 129, 199, 1299 ...
    value = rng.randint(low, high)
    return float(max(low, value - value % 10 + 9) if value >= 10 else value)


def _date(rng: random.Random) -> str:
    start = dt.date(2024, 1, 1)
    return (start + dt.timedelta(days=rng.randint(0, 1034))).isoformat()


def _draw(shape: str, rgb: tuple[int, int, int]) -> bytes:
    img = Image.new("RGB", (64, 64), (250, 250, 250) if sum(rgb) < 700 else (90, 90, 96))
    d = ImageDraw.Draw(img)
    if shape == "shirt":
        d.polygon([(16, 14), (26, 10), (38, 10), (48, 14), (56, 24), (48, 30), (46, 54), (18, 54), (16, 30), (8, 24)], fill=rgb)
    elif shape == "shoe":
        d.polygon([(8, 44), (8, 24), (22, 24), (30, 34), (52, 38), (58, 46), (58, 50), (8, 50)], fill=rgb)
    elif shape == "bottle":
        d.rectangle([26, 8, 38, 16], fill=rgb)
        d.rounded_rectangle([18, 16, 46, 56], radius=6, fill=rgb)
    elif shape == "square":
        d.rectangle([10, 14, 54, 50], fill=rgb)
    elif shape == "circle":
        d.ellipse([10, 10, 54, 54], fill=rgb)
    elif shape == "phone":
        d.rounded_rectangle([20, 6, 44, 58], radius=5, fill=rgb)
    elif shape == "triangle":
        d.polygon([(32, 8), (58, 54), (6, 54)], fill=rgb)
    else:  # box
        d.rectangle([12, 20, 52, 54], fill=rgb)
        d.polygon([(12, 20), (22, 10), (42, 10), (52, 20)], fill=rgb)
    # A palette PNG keeps each image a few hundred bytes.
    buf = io.BytesIO()
    img.quantize(colors=8, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def build(rng: random.Random) -> tuple[list[dict], list[dict]]:
    products, variants, seen = [], [], set()
    for category, templates in TEMPLATES.items():
        prefixes = PREFIXES[category]
        for tpl in templates:
            # A prefix already in the base name would read twice (户外户外…).
            picks = rng.sample([p for p in prefixes if p not in tpl["base"]], PER_TEMPLATE)
            for prefix in picks:
                suffix = rng.choice(SUFFIXES.get(category, [""]))
                name = f"{prefix}{tpl['base']}{suffix}"
                if name in seen:
                    continue
                seen.add(name)
                pid = f"P{len(products) + 1:04d}"
                colors = sorted(rng.sample(tpl["col"], rng.randint(1, len(tpl["col"]))), key=tpl["col"].index)
                sizes = tpl["sz"].split()
                products.append({
                    "id": pid, "name": name, "category": category,
                    "price": _price(rng, *tpl["price"]),
                    "colors": colors, "sizes": sizes, "materials": tpl["mat"],
                    "tags": tpl["tags"], "launch_date": _date(rng),
                    "seasons": tpl["season"] or ALL_SEASONS,
                    "scenes": tpl["scene"], "profiles": tpl["prof"],
                    "image": f"images/{pid}.png",
                })
                for color in colors:
                    for size in sizes:
                        # About one variant in seven is sold out: stock questions need "no" answers too.
                        stock = 0 if rng.random() < 0.15 else rng.randint(1, 80)
                        variants.append({"product_id": pid, "color": color, "size": size, "stock": stock})
    return products, variants


def write(out_dir: Path = DATA_DIR, images_dir: Path = IMAGES_DIR) -> tuple[int, int]:
    products, variants = build(random.Random(SEED))
    out_dir.mkdir(parents=True, exist_ok=True)
    images_dir.mkdir(parents=True, exist_ok=True)
    fields = ["id", "name", "category", "price", "colors", "sizes", "materials", "tags",
              "launch_date", "seasons", "scenes", "profiles", "image"]
    with open(out_dir / "products.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for p in products:
            w.writerow({k: LIST_SEP.join(v) if isinstance(v, list) else v for k, v in p.items()})
    with open(out_dir / "variants.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["product_id", "color", "size", "stock"], lineterminator="\n")
        w.writeheader()
        w.writerows(variants)
    for old in images_dir.glob("P*.png"):
        old.unlink()
    for p in products:
        (images_dir / f"{p['id']}.png").write_bytes(_draw(SHAPES[p["category"]], COLORS[p["colors"][0]]))
    return len(products), len(variants)


if __name__ == "__main__":
    n_products, n_variants = write()
    print(f"catalog: {n_products} products, {n_variants} variants -> {DATA_DIR}")
