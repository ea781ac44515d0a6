"""Rasa response generation for the shop: varied wording, never the same text twice in a row.

endpoints.yml names `shop.nlg.VariedResponseGenerator`; see generator.py for the rules
and docs/tone.md for the tone every response follows.
"""
from shop.nlg.generator import VariedResponseGenerator

__all__ = ["VariedResponseGenerator"]
