"""Desk messages kept as catalogue keys (``kiemchung.web.i18n``): flashes and workflow errors.

A flash line that is a key is translated when the page is drawn, in the reader's language:

    >>> from kiemchung.web.i18n import translate
    >>> translate("desk.fc.return_needs_reason", "en").startswith("A reason")
    True
"""

from __future__ import annotations

from kiemchung.web.i18n import register

register(
    {
        "desk.fc.return_needs_reason": (
            "Cần ghi lý do trả lại để người viết biết cần sửa gì.",
            "A reason is required, so the author knows what to change.",
        ),
        "desk.fc.no_pending_correction": (
            "Không có đính chính nào chờ duyệt.",
            "No correction is waiting for review.",
        ),
        "desk.fc.correction_own": (
            "Người kiểm duyệt phải khác người viết đính chính.",
            "The reviewer must not be the author of the correction.",
        ),
        "desk.fc.reviewers_only": (
            "Chỉ người kiểm duyệt được làm việc này.",
            "Only reviewers may do this.",
        ),
        "desk.fc.correction_sent": (
            "Đã gửi đính chính chờ duyệt — trang công khai vẫn giữ bản đã xuất bản cho đến khi được duyệt.",
            "Correction sent for review — the public page keeps the published version until it is approved.",
        ),
        "desk.fc.correction_approved": (
            "Đã duyệt và đăng đính chính.",
            "Correction approved and published.",
        ),
        "desk.fc.correction_rejected": ("Đã bỏ đề xuất đính chính.", "Correction proposal dropped."),
        "desk.fc.published_link": ("Xem trang công khai", "View the public page"),
    }
)

register({"desk.claim.topic_saved": ("Đã lưu chủ đề.", "Topic saved.")})
