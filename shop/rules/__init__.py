"""Shop rules as pure functions: no database, no Rasa. Each returns a `Decision`
(allowed, code, Chinese reason, details). Policy numbers live in `policy`."""
from shop.rules.complaints import assess_complaint, classify_complaint
from shop.rules.coupons import can_apply_coupon, coupon_discount
from shop.rules.decision import Decision
from shop.rules.formats import mask_phone, validate_order_no, validate_phone
from shop.rules.invoices import validate_invoice, validate_tax_number
from shop.rules.logistics import detect_delay
from shop.rules.orders import can_cancel, can_change_quantity, can_change_variant, can_modify
from shop.rules.returns import after_sales_deadline, can_exchange, can_refund, can_return, refund_progress

__all__ = [
    "Decision", "after_sales_deadline", "assess_complaint", "can_apply_coupon", "can_cancel",
    "can_change_quantity", "can_change_variant", "can_exchange", "can_modify", "can_refund",
    "can_return", "classify_complaint", "coupon_discount", "detect_delay", "mask_phone",
    "refund_progress", "validate_invoice", "validate_order_no", "validate_phone", "validate_tax_number",
]
