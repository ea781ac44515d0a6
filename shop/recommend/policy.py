"""Every number the recommender decides with, in one place.

Pure constants (no DB, no catalog) so the levels, the chat and the bench read the same
values; change a threshold here and every caller follows.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

# -- answer size ------------------------------------------------------------------------
DEFAULT_K = 5
# A chat bubble lists a handful of products; more is never read, and an unbounded k
# from a slot or an API call must not turn into a scan of the whole catalog.
MAX_K = 20

# -- level 1: real time (abandoned cart) -----------------------------------------------
# A cart not followed by an order within this time counts as abandoned. Shorter and we
# would nudge shoppers who are still at the checkout page.
CART_ABANDONED_AFTER = dt.timedelta(minutes=30)
# Carts older than this are no longer a "real-time" signal; the history level covers them.
CART_LOOKBACK = dt.timedelta(days=3)
# At most one cart coupon per shopper within this rolling period, however often asked:
# a coupon every visit would teach shoppers to abandon carts on purpose.
CART_COUPON_PERIOD = dt.timedelta(days=7)
# A short validity, since the point is to bring the shopper back to this cart now.
CART_COUPON_VALID = dt.timedelta(days=3)
# (threshold, amount) from the highest; the first tier the cart total reaches is offered,
# so the coupon always applies to buying the cart as it is.
CART_COUPON_TIERS = (
    (Decimal("499"), Decimal("40")),
    (Decimal("199"), Decimal("20")),
    (Decimal("99"), Decimal("10")),
    (Decimal("0"), Decimal("5")),
)
CART_COUPON_SOURCE = "cart_reminder"
CART_COUPON_PREFIX = "CR"

# -- level 2: history (category interests) ---------------------------------------------
# How much one event says about a shopper's interest: money spent says most.
KIND_WEIGHTS = {"pay": 4.0, "order": 3.0, "add_to_cart": 2.0, "view": 1.0}
# A purchase that was cancelled still shows interest, about as much as a cart.
CANCELLED_PURCHASE_WEIGHT = KIND_WEIGHTS["add_to_cart"]
# Interest halves every this many days: last week's browsing outweighs last season's.
INTEREST_HALF_LIFE_DAYS = 14.0
# Only the shopper's strongest categories are used; the rest is noise from one-off views.
TOP_CATEGORIES = 3
# A product launched within this many days counts as a new arrival.
NEW_ARRIVAL_DAYS = 90
# How a candidate's score is made up (share of the category's interest × these parts).
# A product looked at and not bought is the strongest hint; likeness to it (shared tags,
# scenes) is a weaker one, so "related" counts half. bench/recommend.py reports each part
# left out; its simulated shoppers do not choose by likeness, so it cannot judge "related".
HISTORY_WEIGHTS = {"new": 1.0, "related": 0.5, "seen": 1.0, "base": 0.1}

# -- level 3: predictive (season, replenishment) ---------------------------------------
# Chinese seasons by month (气象季节: 3-5 春, 6-8 夏, 9-11 秋, 12-2 冬).
SEASON_BY_MONTH = {3: "春", 4: "春", 5: "春", 6: "夏", 7: "夏", 8: "夏",
                   9: "秋", 10: "秋", 11: "秋", 12: "冬", 1: "冬", 2: "冬"}
NEXT_SEASON = {"春": "夏", "夏": "秋", "秋": "冬", "冬": "春"}
# In a season's last days shoppers stock up for the next one (羽绒服 in late November).
SEASON_LOOKAHEAD_DAYS = 21
NEXT_SEASON_FACTOR = 0.8
# Days a typical pack lasts, by catalog category; only consumables repeat.
REPURCHASE_CYCLE_DAYS = {"food": 30, "skincare": 60, "baby": 45}
# 母婴 holds durable goods too (bottles, clothes, cups): only these get used up.
BABY_CONSUMABLE_WORDS = ("防晒霜", "口水巾", "湿巾", "纸尿裤", "米粉", "奶粉")
# A replenishment is suggested from this share of the cycle on (a little early, so the
# parcel arrives before the pack runs out) until this share (later they likely switched).
REPLENISH_FROM = 0.8
REPLENISH_UNTIL = 2.0

# -- popularity baseline ---------------------------------------------------------------
# Bestsellers are counted over this recent window, so last year's hit does not stay on top.
POPULAR_WINDOW_DAYS = 90

# -- mixing for the chat ---------------------------------------------------------------
# (level, at most this many in the first pass); then remaining slots are filled in order.
# One bestseller slot: what everyone buys is a fair suggestion for anyone, and it is all
# a shopper without history has besides the season.
MIX_QUOTAS = (("realtime", 2), ("replenish", 1), ("history", 2), ("seasonal", 1), ("popular", 1))
MIX_FILL_ORDER = ("history", "seasonal", "replenish", "realtime", "popular")
