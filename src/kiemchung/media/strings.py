"""Vietnamese / English strings of the image features (registered at import)."""

from __future__ import annotations

from kiemchung.web.i18n import register

register(
    {
        "media.checked": ("Ảnh đã kiểm chứng", "Checked image"),
        "media.checked_alt": ("Ảnh lan truyền đã được kiểm chứng", "The viral image that was checked"),
        "media.upload": ("Hoặc gửi ảnh chụp màn hình", "Or send a screenshot"),
        "media.upload_help": (
            "JPEG, PNG, WebP hoặc GIF, tối đa 10 MB. Chúng tôi xóa thông tin ẩn trong ảnh (vị trí GPS, "
            "máy chụp, tác giả) trước khi lưu.",
            "JPEG, PNG, WebP or GIF, at most 10 MB. Hidden data in the picture (GPS location, camera, "
            "author) is removed before it is stored.",
        ),
        "media.ocr": ("Chữ đọc được trong ảnh", "Text read from your image"),
        "media.ocr_confidence": ("độ tin cậy {p}", "confidence {p}"),
    }
)
