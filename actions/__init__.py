"""rasa_sdk actions, one module per concern."""
