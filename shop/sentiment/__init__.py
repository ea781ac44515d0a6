"""Sentiment of shoppers' messages: P(positive), a three-way label and a 1-5 star estimate.

The model is a char 1-3 gram TF-IDF + logistic regression trained on 62k labelled
shopping reviews (scripts/train_sentiment.py), shipped as arrays and run with numpy.
It knows only positive vs negative; "neutral" is the band where it is unsure.

Mappings (documented in docs/dashboard.md):
    label:  p >= 0.70 positive, p <= 0.30 negative, otherwise neutral
    stars:  1 + 4 * p   (p = 0 -> 1 star, 0.5 -> 3 stars, 1 -> 5 stars)
"""
from __future__ import annotations

from functools import lru_cache

from shop.sentiment.model import ARTIFACT, SentimentModel

POSITIVE_AT = 0.70
NEGATIVE_AT = 0.30


@lru_cache(maxsize=1)
def load_model() -> SentimentModel:
    """The shipped model, read once per process (about 0.2 s)."""
    return SentimentModel.load(ARTIFACT)


def positive_probability(text: str) -> float:
    return load_model().positive_probability(text)


def label_of(p: float) -> str:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a probability lies in [0, 1], got {p!r}")
    if p >= POSITIVE_AT:
        return "positive"
    if p <= NEGATIVE_AT:
        return "negative"
    return "neutral"


def stars_from_probability(p: float) -> float:
    """A linear map, so the mean of estimated stars is the star value of the mean probability."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a probability lies in [0, 1], got {p!r}")
    return 1.0 + 4.0 * p


def is_opinion(p: float) -> bool:
    """Whether a message says how the shopper feels (outside the neutral band)."""
    return label_of(p) != "neutral"


__all__ = ["SentimentModel", "load_model", "positive_probability", "label_of", "stars_from_probability",
           "is_opinion", "POSITIVE_AT", "NEGATIVE_AT"]
