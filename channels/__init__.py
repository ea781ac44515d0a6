"""Rasa input channels for the shop's platforms (named in credentials.yml).

- ``channels.app.AppInput``: the shop's own app, JSON over HTTP with a bearer
  token, replies in the response and pushed over Server-Sent Events.
- ``channels.miniprogram.MiniProgramInput``: the WeChat-style message push of
  a mini-program / official account, XML or JSON, plain or safe mode.
- ``channels.social.SocialInput``: a social-media webhook (Meta-style payload),
  HMAC-SHA256 over the raw body, direct messages and comments.

Each turns its platform's message into one ``common.InboundMessage`` and the
bot's replies back into its platform's format.
"""
