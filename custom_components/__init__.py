"""Rasa GraphComponents: thin wrappers around the shop package."""
