"""The agents' workbench: sign-in (accounts), the conversation view (history), the web channel (channel)."""
