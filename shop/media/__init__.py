"""Shared store for media shoppers send (images, voice): sniffed, capped, validated, content-addressed.

    store = media_store()                                  # configured from SHOP_MEDIA_* (see settings.py)
    stored = store.fetch(attachment, "image")              # {"type", "url" | "path" | "media_id"}
    stored = store.save(data, "voice")
    stored = store.get(stored.media_id)
    att = first_attachment(tracker.latest_message["metadata"], "image")   # or None

Every refusal is a ``MediaRejected`` with a ``code`` and a Chinese ``message`` for the shopper.
"""
from shop.media.attachments import attachment_from_ref, first_attachment
from shop.media.errors import MediaRejected
from shop.media.settings import media_store
from shop.media.store import MediaStore, StoredMedia

__all__ = ["MediaRejected", "MediaStore", "StoredMedia", "attachment_from_ref", "first_attachment", "media_store"]
