"""A tiny three-intent data set and model size: trains in about a second."""
from shop.nlu import IntentModelConfig

TRAIN = {
    "track_logistics": [
        "快递到哪了", "我的快递怎么还没到", "物流信息不动了", "包裹到哪里了", "快递几天能到",
        "物流好几天没更新", "查一下快递进度", "快递到哪儿啦", "我的包裹在哪", "物流怎么这么慢",
        "啥时候能到货", "快递单号多少",
    ],
    "request_human": [
        "转人工", "我要人工客服", "找个真人跟我说", "人工服务", "帮我转接人工",
        "不要机器人", "真人客服在吗", "叫你们客服来", "转接人工客服", "我要找人工",
        "人工人工", "有没有真人",
    ],
    "greet": [
        "你好", "在吗", "您好", "hello", "哈喽", "你好呀", "在不在", "嗨", "亲在吗",
        "早上好", "hi", "有人吗",
    ],
}
HELD_OUT = {
    "track_logistics": ["快递到哪里啦", "物流几天没动"],
    "request_human": ["给我转人工", "要真人客服"],
    "greet": ["你好啊", "在吗亲"],
}


def tiny_config(**overrides) -> IntentModelConfig:
    values = dict(
        hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, lstm_hidden=16,
        max_length=24, epochs=30, batch_size=8, learning_rate=3e-3, random_seed=7,
        num_threads=1, calibration_fraction=0.0,
    )
    values.update(overrides)
    return IntentModelConfig(**values)


def flatten(data):
    texts, intents = [], []
    for intent, examples in data.items():
        texts += examples
        intents += [intent] * len(examples)
    return texts, intents
