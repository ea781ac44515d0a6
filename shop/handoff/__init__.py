"""Human handoff: the queue of conversations for agents (shop.handoff.queue)."""
from shop.handoff.queue import (REASONS, HandoffError, HandoffLimited, HandoffLimits, HandoffQueue, HandoffView,
                                channel_of_conversation)

__all__ = ["REASONS", "HandoffError", "HandoffLimited", "HandoffLimits", "HandoffQueue", "HandoffView",
           "channel_of_conversation"]
