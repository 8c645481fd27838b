"""Interface strings of the analytics page and report (Vietnamese, English), in the shared catalogue.

>>> from kiemchung.web.i18n import translate
>>> translate("analytics.title", "vi"), translate("analytics.title", "en")
('Thống kê', 'Analytics')
"""

from __future__ import annotations

from kiemchung.store.models import CLAIM_STATUS_LABELS, ClaimStatus
from kiemchung.topics import topic_label as named_topic
from kiemchung.web.i18n import register, translate

STRINGS: dict[str, tuple[str, str]] = {
    "analytics.title": ("Thống kê", "Analytics"),
    "analytics.lead": (
        "Số liệu tổng hợp về nhận định, bài kiểm chứng, tin gửi và độ phủ của các kênh của tòa soạn. "
        "Chỉ có số đếm — không có dữ liệu về cá nhân nào.",
        "Aggregate figures on claims, fact-checks, tips and the reach of the desk's own channels. "
        "Counts only — no data about any person.",
    ),
    "analytics.period": ("Khoảng thời gian", "Period"),
    "analytics.period.days": ("{days} ngày qua", "Last {days} days"),
    "analytics.period.range": ("Từ {since} đến {until}", "From {since} to {until}"),
    "analytics.show": ("Xem", "Show"),
    "analytics.download": ("Tải báo cáo", "Download report"),
    "analytics.data_table": ("Bảng số liệu", "Data table"),
    "analytics.empty": (
        "Chưa có số liệu trong khoảng thời gian này. Hãy chọn khoảng dài hơn hoặc nạp dữ liệu.",
        "No data in this period yet. Choose a longer period or load some data.",
    ),
    "analytics.none": ("Chưa có số liệu.", "No data yet."),
    "analytics.asking.title": ("Người dân đang hỏi gì (7 ngày qua)", "What people are asking (last 7 days)"),
    "analytics.asking.desc": (
        "Nhận định được hỏi nhiều nhất: số lượt hỏi qua tin gửi và số bài đăng theo dõi, chỉ số đếm.",
        "The claims most asked about: asks through tips and monitored posts, counts only.",
    ),
    "analytics.col.asks": ("Lượt hỏi", "Asks"),
    "analytics.col.area": ("Địa bàn", "Area"),
    "analytics.col.answered": ("Đã trả lời", "Answered"),
    "analytics.yes": ("Có", "Yes"),
    "analytics.no": ("Chưa", "Not yet"),
    "analytics.no_topic": ("Chưa phân chủ đề", "No topic"),
    # headline figures
    "analytics.kpi.new_claims": ("Nhận định mới", "New claims"),
    "analytics.kpi.published": ("Bài kiểm chứng đã xuất bản", "Fact-checks published"),
    "analytics.kpi.median": ("Thời gian trả lời (trung vị)", "Time to answer (median)"),
    "analytics.kpi.auto": ("Tin gửi được trả lời tự động", "Tips answered automatically"),
    "analytics.kpi.reach": ("Lượt tiếp cận trên các kênh", "Reach on the desk's channels"),
    # sections
    "analytics.claims.title": ("Nhận định mới theo ngày", "New claims per day"),
    "analytics.claims.desc": (
        "Số nhận định được phát hiện lần đầu mỗi ngày, chia theo trạng thái hiện tại.",
        "Claims first seen each day, split by their current status.",
    ),
    "analytics.topics.title": ("Nhận định mới theo chủ đề", "New claims by topic"),
    "analytics.status.title": ("Nhận định mới theo trạng thái", "New claims by status"),
    "analytics.spreading.title": ("Lan truyền nhanh nhất (24 giờ qua)", "Fastest-spreading (last 24 hours)"),
    "analytics.spreading.desc": (
        "Nhận định có nhiều mục (bài đăng, bình luận, tin gửi) nhất trong 24 giờ qua.",
        "Claims with the most items (posts, comments, tips) in the last 24 hours.",
    ),
    "analytics.verdicts.title": ("Kết luận của các bài đã xuất bản", "Verdicts of published fact-checks"),
    "analytics.tips.title": ("Tin gửi theo ngày và kết quả", "Tips per day by outcome"),
    "analytics.tips.desc": (
        "Trả lời: hệ thống trả lời bằng bài kiểm chứng đã có. Cảnh báo: hệ thống cảnh báo lừa đảo. "
        "Đã nhận: chuyển cho tòa soạn.",
        "Answered: the tipline answered from a published fact-check. Warned: it warned of a scam. "
        "Received: passed to the desk.",
    ),
    "analytics.tta.title": ("Thời gian trả lời", "Time to answer"),
    "analytics.tta.desc": (
        "Số giờ từ khi nhận định được phát hiện lần đầu đến khi bài kiểm chứng đầu tiên về nó được xuất bản.",
        "Hours from a claim's first sighting to its first published fact-check.",
    ),
    "analytics.tta.weekly": ("Trung vị theo tuần (giờ)", "Weekly median (hours)"),
    "analytics.tta.by_topic": ("Theo chủ đề", "By topic"),
    "analytics.reach.title": ("Độ phủ các bài của tòa soạn", "Reach of the desk's publications"),
    "analytics.reach.channels": ("Theo kênh", "By channel"),
    "analytics.reach.top": (
        "Bài kiểm chứng nổi bật (lượt xem + tiếp cận)",
        "Top fact-checks (views + reach)",
    ),
    # column headers
    "analytics.col.figure": ("Chỉ số", "Figure"),
    "analytics.col.value": ("Giá trị", "Value"),
    "analytics.col.day": ("Ngày", "Day"),
    "analytics.col.week": ("Tuần từ", "Week of"),
    "analytics.col.topic": ("Chủ đề", "Topic"),
    "analytics.col.status": ("Trạng thái", "Status"),
    "analytics.col.claim": ("Nhận định", "Claim"),
    "analytics.col.count": ("Số lượng", "Count"),
    "analytics.col.total": ("Tổng", "Total"),
    "analytics.col.items_24h": ("Mục trong 24 giờ", "Items in 24 h"),
    "analytics.col.per_hour": ("Mục mỗi giờ", "Items per hour"),
    "analytics.col.verdict": ("Kết luận", "Verdict"),
    "analytics.col.answered_n": ("Số nhận định được trả lời", "Claims answered"),
    "analytics.col.median": ("Trung vị (giờ)", "Median (hours)"),
    "analytics.col.p90": ("P90 (giờ)", "P90 (hours)"),
    "analytics.col.channel": ("Kênh", "Channel"),
    "analytics.col.posts": ("Số bài đăng", "Posts"),
    "analytics.col.reach": ("Tiếp cận", "Reach"),
    "analytics.col.clicks": ("Lượt nhấp", "Clicks"),
    "analytics.col.ctr": ("Tỉ lệ nhấp", "Click rate"),
    "analytics.col.views": ("Lượt xem", "Views"),
    "analytics.col.score": ("Xem + tiếp cận", "Views + reach"),
    "analytics.col.fact_check": ("Bài kiểm chứng", "Fact-check"),
    "analytics.col.published": ("Xuất bản", "Published"),
    "analytics.outcome.answered": ("Trả lời tự động", "Answered"),
    "analytics.outcome.warned": ("Cảnh báo lừa đảo", "Warned"),
    "analytics.outcome.received": ("Đã nhận", "Received"),
    "analytics.hours": ("{value} giờ", "{value} h"),
    "analytics.report.title": ("Báo cáo thống kê", "Analytics report"),
}
register(STRINGS)

CLAIM_STATUS = CLAIM_STATUS_LABELS


def tr(key: str, lang: str = "vi", **kwargs: object) -> str:
    return translate(key, lang, **kwargs)


def status_label(status: ClaimStatus | str, lang: str = "vi") -> str:
    pair = CLAIM_STATUS[ClaimStatus(status)]
    return pair[1] if lang == "en" else pair[0]


def topic_label(topic: str, lang: str = "vi") -> str:
    return named_topic(topic, lang) if topic else tr("analytics.no_topic", lang)
