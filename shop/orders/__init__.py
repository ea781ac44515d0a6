"""Order service for the Rasa actions: reads and changes orders under the shop rules."""
from shop.orders.service import InvalidOrderNumber, OrderNotFound, OrderService
from shop.orders.views import OrderSummary, OrderView, Outcome, ShopperView

__all__ = ["InvalidOrderNumber", "OrderNotFound", "OrderService", "OrderSummary", "OrderView", "Outcome", "ShopperView"]
