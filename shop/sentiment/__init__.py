"""Sentiment of shoppers' messages: negative / neutral / positive, polarity and a 1-5 star estimate.

The model is a char 1-3 gram TF-IDF + multinomial logistic regression
(scripts/train_sentiment.py): positive and negative from 62k labelled shopping
reviews, neutral from the project's own NLU examples of plain questions and
requests. It is shipped as arrays and run with numpy.

    label     the most probable of negative / neutral / positive
    polarity  P(positive) / (P(positive) + P(negative)): how positive, if it is an opinion
    stars     1 + 4 * polarity   (0 -> 1 star, 0.5 -> 3 stars, 1 -> 5 stars)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shop.sentiment.model import ARTIFACT, SentimentModel

LABELS = ("negative", "neutral", "positive")
# Intents whose examples ask, request or acknowledge without judging the service: the
# neutral class is trained on them, and the dashboard reads no satisfaction into them.
# Left out: request_return (often angry: 质量太差了 我要退货), complaints, thanks, ratings,
# request_human (often impatient) and out_of_scope.
NEUTRAL_INTENTS = frozenset({
    "greet", "goodbye", "affirm", "deny", "inform", "ask_product_info", "ask_care_method", "ask_recommendation",
    "ask_price_promotion", "ask_size_advice", "ask_stock", "check_order_status", "track_logistics",
    "ask_shipping_policy", "modify_order", "cancel_order", "request_exchange", "ask_refund_status",
    "ask_payment_invoice"})


@dataclass(frozen=True)
class Sentiment:
    negative: float
    neutral: float
    positive: float

    @property
    def label(self) -> str:
        return max(LABELS, key=lambda name: getattr(self, name))

    @property
    def polarity(self) -> float:
        polar = self.positive + self.negative
        return self.positive / polar if polar > 0 else 0.5

    @property
    def stars(self) -> float:
        return stars_from_polarity(self.polarity)

    @property
    def is_opinion(self) -> bool:
        return self.label != "neutral"


@lru_cache(maxsize=1)
def load_model() -> SentimentModel:
    """The shipped model, read once per process (about 0.2 s)."""
    model = SentimentModel.load(ARTIFACT)
    if set(model.classes) != set(LABELS):
        raise ValueError(f"{ARTIFACT} predicts {model.classes}, not {LABELS}")
    return model


@lru_cache(maxsize=65536)
def analyse(text: str) -> Sentiment:
    # cached: the dashboard re-reads the same messages on every refresh
    return Sentiment(**load_model().probabilities(text))


def stars_from_polarity(polarity: float) -> float:
    """A linear map, so the mean of estimated stars is the star value of the mean polarity."""
    if not 0.0 <= polarity <= 1.0:
        raise ValueError(f"a polarity lies in [0, 1], got {polarity!r}")
    return 1.0 + 4.0 * polarity


__all__ = ["LABELS", "NEUTRAL_INTENTS", "Sentiment", "SentimentModel", "analyse", "load_model", "stars_from_polarity"]
