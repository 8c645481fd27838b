"""What each verdict means (message ids; the methodology page shows them translated)."""

from __future__ import annotations

from kiemchung.store.models import Verdict
from kiemchung.web.i18n import N_

VERDICT_DESCRIPTIONS: dict[Verdict, str] = {
    Verdict.true: N_("Nhận định chính xác, có nguồn chính thức hoặc dữ liệu kiểm chứng được xác nhận."),
    Verdict.mostly_true: N_(
        "Phần chính của nhận định đúng nhưng thiếu bối cảnh hoặc có chi tiết chưa chính xác."
    ),
    Verdict.misleading: N_("Có yếu tố thật nhưng được trình bày khiến người đọc hiểu sai."),
    Verdict.false: N_("Nhận định sai, trái với bằng chứng đáng tin cậy."),
    Verdict.unproven: N_("Chưa có đủ bằng chứng để khẳng định đúng hay sai."),
    Verdict.scam: N_("Nội dung là thủ đoạn lừa đảo (giả mạo ngân hàng, cơ quan nhà nước, trúng thưởng ...)."),
}
