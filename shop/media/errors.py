"""The one error the media store raises: a code for programs, a message a shopper may read."""
from __future__ import annotations

# What the shopper is told per code: polite, says what to do, reveals nothing internal.
_MESSAGES = {
    "empty": "亲，没有收到文件内容，麻烦您重新发送一下～",
    "too_large": "亲，文件太大了，麻烦您压缩后或换一张小一点的重新发送～",
    "unsupported_type": "亲，暂不支持这种文件格式，图片请发 JPG/PNG，语音请直接按住说话发送～",
    "bad_image": "亲，这张图片没能打开，麻烦您重新拍一张发送～",
    "bad_dimensions": "亲，图片尺寸不合适（太小或太大），麻烦您重新拍一张清晰的照片发送～",
    "bad_id": "亲，没有找到这份文件，麻烦您重新发送一下～",
    "bad_reference": "亲，没有收到可用的文件，麻烦您重新发送一下～",
    "host_not_allowed": "亲，这个链接的文件我们没法打开，麻烦您直接把图片发过来～",
    "fetch_failed": "亲，文件没能下载下来，麻烦您稍后重新发送一下～",
}


class MediaRejected(ValueError):
    """Media the store refuses. ``code`` is stable; ``message`` is Chinese and safe to show."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.message = _MESSAGES.get(code, _MESSAGES["bad_reference"])
