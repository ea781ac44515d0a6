"""Every figure against hand-computed values, from events stored by Rasa's SQLTrackerStore."""
from __future__ import annotations

import sqlite3

import pytest

from shop.metrics.events import channel_of, event_from_row
from shop.metrics.reader import LOOKBACK_REPLIES, load_dashboard, read_events, read_ratings
from shop.sentiment import analyse
from tests.metrics.conftest import T0, bot, paused, resumed, save_conversations, save_ratings, session, user

H = 3600


def approx(value):
    return pytest.approx(value, abs=1e-4)  # figures are rounded to 4 decimals


@pytest.fixture
def response_db(tmp_path):
    return save_conversations(tmp_path / "tracker.db", {
        "app:1": [
            session(T0),
            user(T0 + 0, "这件是什么材质的", "ask_product_info"),
            user(T0 + 5, "在吗", "greet"),
            bot(T0 + 8),                      # bot 8 s, timed from the first unanswered message
            bot(T0 + 9, "还有别的吗"),          # a second bubble answers nothing
            user(T0 + 20, "转人工", "request_human"),
            bot(T0 + 22, "正在为您转接"),        # bot 2 s
            paused(T0 + 23),
            bot(T0 + 83, "您好，我是小李", agent="li"),  # human 60 s, from the handoff
            user(T0 + 100, "我的快递到哪了", "track_logistics"),
            bot(T0 + 110, "已经在派送了", agent="li"),   # human 10 s
            resumed(T0 + 120),
            user(T0 + 130, "好的，谢谢", "thank"),
            bot(T0 + 134),                     # bot 4 s
        ],
        "miniprogram:9": [user(T0 + 200, "有优惠券吗", "ask_price_promotion"), bot(T0 + 203)],  # bot 3 s
        "demo": [user(T0 + 300, "你好", "greet"), bot(T0 + 301)],  # REST sender: bot 1 s
    })


def test_response_times_bot_and_human_overall_and_per_channel(response_db, empty_shop_db):
    d = load_dashboard(response_db, empty_shop_db, hours=2, until=T0 + H)
    rt = d["figures"]["response_time"]
    assert rt["bot"]["value"] == approx((8 + 2 + 4 + 3 + 1) / 5) and rt["bot"]["samples"] == 5
    assert rt["bot"]["breached"] is False and rt["bot"]["target"] == 30
    assert rt["human"]["value"] == approx(35.0) and rt["human"]["samples"] == 2
    assert rt["human"]["breached"] is True  # 35 s is not under 30 s
    assert rt["all"]["value"] == approx((8 + 2 + 4 + 3 + 1 + 60 + 10) / 7)
    app, mini, rest = (d["channels"][c]["response_time"] for c in ("app", "miniprogram", "rest"))
    assert app["bot"]["value"] == approx(14 / 3) and app["human"]["value"] == approx(35)
    assert mini["bot"]["value"] == approx(3.0) and rest["bot"]["value"] == approx(1.0)
    assert mini["human"] == {"value": None, "samples": 0, "target": 30.0, "better": "below", "unit": "s",
                             "breached": None}
    # the hourly series: everything in the hour starting at T0, nothing in the one before
    series = d["series"]
    assert series["t"] == [T0 - H, T0]
    assert series["response_time_bot"][0] == {"value": None, "samples": 0}
    assert series["response_time_bot"][1]["samples"] == 5
    assert series["response_time_human"][1] == {"value": approx(35.0), "samples": 2}


def test_only_the_last_100_replies_count(tmp_path, empty_shop_db):
    events = []
    for i in range(120):  # 20 slow exchanges (100 s), then 100 quick ones (10 s)
        t = T0 + i * 200
        events += [user(t, "在吗", "greet"), bot(t + (100 if i < 20 else 10))]
    url = save_conversations(tmp_path / "tracker.db", {"social:5": events})
    d = load_dashboard(url, empty_shop_db, hours=24, until=T0 + 24 * H)
    assert d["figures"]["response_time"]["bot"]["value"] == approx(10.0)
    assert d["figures"]["response_time"]["bot"]["samples"] == 100
    # up to a moment when only the first 30 had happened: 20 slow + 10 quick
    d = load_dashboard(url, empty_shop_db, hours=1, until=T0 + 29 * 200 + 50)
    assert d["figures"]["response_time"]["bot"]["value"] == approx((20 * 100 + 10 * 10) / 30)
    assert d["figures"]["response_time"]["bot"]["breached"] is True


@pytest.fixture
def contact_db(tmp_path):
    return save_conversations(tmp_path / "tracker.db", {
        "app:7": [
            session(T0), user(T0 + 1, "快递到哪了", "track_logistics"), bot(T0 + 2),
            session(T0 + 10 * H), user(T0 + 10 * H + 1, "怎么还没到", "track_logistics"), bot(T0 + 10 * H + 3),
            session(T0 + 20 * H), user(T0 + 20 * H + 1, "175穿什么码", "ask_size_advice"), bot(T0 + 20 * H + 2),
        ],
        # no session_started: the 100 h silence alone makes a new contact, and 72 h have passed
        "social:8": [user(T0 + 5, "订单发货了吗", "check_order_status"), bot(T0 + 6),
                     user(T0 + 100 * H, "订单发货了吗", "check_order_status"), bot(T0 + 100 * H + 2)],
        "app:70": [user(T0 + 12 * H, "快递到哪了", "track_logistics"), bot(T0 + 12 * H + 1)],  # another shopper
        "social:9": [user(T0 + 7, "你好", "greet"), bot(T0 + 8)],  # no topic: not a consultation
    })


def test_first_contact_resolution_repeats_within_the_window_only(contact_db, empty_shop_db):
    d = load_dashboard(contact_db, empty_shop_db, hours=121, until=T0 + 120 * H)
    fcr = d["figures"]["first_contact_resolution"]
    # consultations: app:7 x3, social:8 x2, app:70 x1; repeats: app:7's second logistics contact
    assert (fcr["samples"], fcr["repeats"]) == (6, 1)
    assert fcr["value"] == approx(5 / 6) and fcr["breached"] is True
    assert d["channels"]["app"]["first_contact_resolution"]["value"] == approx(3 / 4)
    social = d["channels"]["social"]["first_contact_resolution"]
    assert (social["value"], social["samples"], social["breached"]) == (1.0, 2, False)


def test_a_repeat_looks_back_before_the_range(contact_db, empty_shop_db):
    # the range starts after app:7's first contact, which must still be read to see the repeat
    d = load_dashboard(contact_db, empty_shop_db, hours=115, until=T0 + 120 * H)
    fcr = d["figures"]["first_contact_resolution"]
    assert (fcr["samples"], fcr["repeats"]) == (4, 1)
    assert fcr["value"] == approx(0.75)


def test_satisfaction_combines_ratings_and_sentiment(tmp_path):
    tracker = save_conversations(tmp_path / "tracker.db", {
        # rated: its complaint is not estimated again
        "app:1": [user(T0 + 10, "快递到哪了", "track_logistics"), bot(T0 + 11),
                  user(T0 + 20, "差评，非常不满意", "complain_service"), bot(T0 + 21)],
        "miniprogram:2": [user(T0 + 30, "有优惠吗", "ask_price_promotion"), bot(T0 + 31)],
        # unrated, with opinions: estimated from them (a question misread as negative is skipped by intent)
        "social:3": [user(T0 + 40, "怎么还没发货，都一个星期了", "check_order_status"), bot(T0 + 41),
                     user(T0 + 50, "好的，谢谢亲", "thank"), bot(T0 + 51),
                     user(T0 + 55, "太感谢了，帮了大忙", "thank"), bot(T0 + 56)],
        "social:4": [user(T0 + 60, "你们客服态度太差了", "complain_service"), bot(T0 + 61),
                     user(T0 + 65, "转人工", "request_human"), bot(T0 + 66)],
        # unrated, only neutral messages: no sample
        "app:5": [user(T0 + 70, "这件是什么材质的", "ask_product_info"), bot(T0 + 71),
                  user(T0 + 80, "在吗", "greet"), bot(T0 + 81)],
    })
    shop = save_ratings(tmp_path / "shop.db", [("app:1", "app", 5, T0 + 600, "li"),
                                               ("miniprogram:2", "miniprogram", 4, T0 + 900)])
    thanks, more_thanks, rude = (analyse(t) for t in ("好的，谢谢亲", "太感谢了，帮了大忙", "你们客服态度太差了"))
    assert thanks.label == more_thanks.label == "positive" and rude.label == "negative"
    assert analyse("怎么还没发货，都一个星期了").label == analyse("转人工").label == "negative"  # skipped by intent
    assert analyse("在吗").label == analyse("这件是什么材质的").label == "neutral"
    d = load_dashboard(tracker, shop, hours=2, until=T0 + H)
    sat = d["figures"]["satisfaction"]
    social3 = 1 + 4 * (thanks.polarity + more_thanks.polarity) / 2
    social4 = 1 + 4 * rude.polarity
    expected = (5 + 4 + 0.5 * social3 + 0.5 * social4) / (1 + 1 + 0.5 + 0.5)
    assert sat["value"] == approx(expected)
    assert sat["samples"] == 4 and sat["breached"] is True
    assert sat["ratings"] == {"value": 4.5, "samples": 2}
    assert sat["sentiments"] == {"value": approx((social3 + social4) / 2), "samples": 2}
    assert d["channels"]["app"]["satisfaction"]["value"] == 5.0
    assert d["channels"]["app"]["satisfaction"]["breached"] is False  # 5 stars is above 4.5
    assert d["channels"]["social"]["satisfaction"]["value"] == approx((social3 + social4) / 2)


def test_no_data_gives_null_figures_not_zero(tmp_path, empty_shop_db):
    fresh = f"sqlite:///{tmp_path / 'never_used.db'}"  # no events table at all
    empty = save_conversations(tmp_path / "tracker.db", {})
    for tracker in (fresh, empty):
        d = load_dashboard(tracker, empty_shop_db, hours=3, until=T0)
        figures = [*d["figures"]["response_time"].values(), d["figures"]["first_contact_resolution"],
                   d["figures"]["satisfaction"]]
        assert all(f["value"] is None and f["breached"] is None and f["samples"] == 0 for f in figures)
        assert d["channels"] == {}
        assert len(d["series"]["t"]) == 3
        assert all(p == {"value": None, "samples": 0} for p in d["series"]["satisfaction"])
    # a shop store without a ratings table yet reads as no ratings
    assert read_ratings(fresh, T0 - H, T0) == []
    assert not (tmp_path / "never_used.db").exists()  # reading created nothing


def test_greetings_alone_give_response_times_but_no_resolution_figure(tmp_path, empty_shop_db):
    url = save_conversations(tmp_path / "tracker.db", {"app:3": [user(T0 + 1, "你好", "greet"), bot(T0 + 40)]})
    d = load_dashboard(url, empty_shop_db, hours=1, until=T0 + H)
    assert d["figures"]["response_time"]["bot"]["value"] == 39 and d["figures"]["response_time"]["bot"]["breached"]
    assert d["figures"]["first_contact_resolution"]["value"] is None
    assert d["figures"]["satisfaction"]["value"] is None


def test_a_damaged_row_is_read_without_its_payload(tmp_path, empty_shop_db):
    url = save_conversations(tmp_path / "tracker.db", {"app:1": [user(T0, "快递到哪了", "track_logistics"),
                                                                 bot(T0 + 3, agent="li")]})
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute("UPDATE events SET data = '{not json' WHERE type_name = 'bot'")
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('app:1', 'user', NULL, '{}')")
    events = read_events(url, T0 - H, T0 + H)
    assert [e.type_name for e in events] == ["user", "bot"]
    # without its metadata the reply can no longer be told to be a human's: it counts as the bot's
    d = load_dashboard(url, empty_shop_db, hours=1, until=T0 + H)
    assert d["figures"]["response_time"]["bot"]["samples"] == 1
    assert d["figures"]["response_time"]["human"]["samples"] == 0


def test_event_rows_and_channels():
    assert [channel_of(s) for s in ("app:1", "miniprogram:o-x", "social:9", "demo", "other:1", "")] == [
        "app", "miniprogram", "social", "rest", "rest", "rest"]
    e = event_from_row(1, "social:2", "bot", 5.0, None, '{"text": "<b>hi</b>", "metadata": {"agent": "amy"}}')
    assert (e.channel, e.agent, e.text) == ("social", "amy", "<b>hi</b>")
    assert event_from_row(2, "x", "user", None, None, "{}") is None
    assert event_from_row(3, "x", "user", 1.0, "greet", "[1, 2]").data == {}


def test_bad_ranges_are_refused(response_db, empty_shop_db):
    for hours in (0, -1, 10_000):
        with pytest.raises(ValueError):
            load_dashboard(response_db, empty_shop_db, hours=hours, until=T0)


def test_lookback_reaches_the_last_replies_of_a_quiet_store(tmp_path, empty_shop_db):
    # the only replies are a week before a 1-hour range: response times still show them
    url = save_conversations(tmp_path / "tracker.db", {"app:1": [user(T0, "在吗", "greet"), bot(T0 + 12)]})
    d = load_dashboard(url, empty_shop_db, hours=1, until=T0 + 7 * 24 * H)
    assert d["figures"]["response_time"]["bot"] == {"value": 12.0, "samples": 1, "target": 30.0,
                                                         "better": "below", "unit": "s", "breached": False}
    assert LOOKBACK_REPLIES >= 100


def test_topics_and_session_gap_follow_the_domain():
    import yaml
    from pathlib import Path
    from shop.metrics.figures import NO_OPINION_INTENTS, TOPIC_OF_INTENT, Settings
    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain" / "base.yml").read_text(encoding="utf-8"))
    intents = set(domain["intents"])
    assert set(TOPIC_OF_INTENT) <= intents and NO_OPINION_INTENTS <= intents
    assert Settings().session_gap_s == domain["session_config"]["session_expiration_time"] * 60
