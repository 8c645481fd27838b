"""Vietnamese / English strings of the public site (registered at import)."""

from __future__ import annotations

from kiemchung.store.models import Verdict
from kiemchung.web.i18n import register

VERDICT_DESCRIPTIONS: dict[Verdict, tuple[str, str]] = {
    Verdict.true: (
        "Nhận định chính xác, có nguồn chính thức hoặc dữ liệu kiểm chứng được xác nhận.",
        "The claim is accurate and confirmed by official sources or verifiable data.",
    ),
    Verdict.mostly_true: (
        "Phần chính của nhận định đúng nhưng thiếu bối cảnh hoặc có chi tiết chưa chính xác.",
        "The core is right, but context is missing or some details are wrong.",
    ),
    Verdict.misleading: (
        "Có yếu tố thật nhưng được trình bày khiến người đọc hiểu sai.",
        "Contains real elements presented so as to mislead the reader.",
    ),
    Verdict.false: (
        "Nhận định sai, trái với bằng chứng đáng tin cậy.",
        "The claim is wrong; reliable evidence contradicts it.",
    ),
    Verdict.unproven: (
        "Chưa có đủ bằng chứng để khẳng định đúng hay sai.",
        "There is not enough evidence to say whether it is true or false.",
    ),
    Verdict.scam: (
        "Nội dung là thủ đoạn lừa đảo (giả mạo ngân hàng, cơ quan nhà nước, trúng thưởng ...).",
        "The content is a scam (impersonating a bank or authority, fake prizes ...).",
    ),
}

register({f"verdict.desc.{v.value}": pair for v, pair in VERDICT_DESCRIPTIONS.items()})
register(
    {
        "pub.latest": ("Bài kiểm chứng mới nhất", "Latest fact-checks"),
        "pub.most_read": ("Đọc nhiều nhất", "Most read"),
        "pub.all": ("Xem tất cả bài kiểm chứng", "All fact-checks"),
        "pub.topics": ("Chủ đề", "Topics"),
        "pub.topic": ("Chủ đề: {name}", "Topic: {name}"),
        "pub.hero.title": (
            "Bạn thấy một thông tin đáng ngờ?",
            "Seen something doubtful?",
        ),
        "pub.hero.lead": (
            "Gửi cho chúng tôi: nếu đã có bài kiểm chứng, bạn nhận câu trả lời ngay.",
            "Send it to us: if we have already checked it, you get the answer at once.",
        ),
        "pub.tip.label": ("Nội dung cần kiểm chứng", "What should we check?"),
        "pub.tip.placeholder": (
            "Dán bài viết, tin nhắn hoặc đường dẫn bạn nhận được ...",
            "Paste the post, message or link you received ...",
        ),
        "pub.tip.submit": ("Gửi để kiểm chứng", "Send for checking"),
        "pub.tip.title": ("Gửi tin cần kiểm chứng", "Send a tip"),
        "pub.tip.lead": (
            "Gửi bài viết, tin nhắn hay lời đồn bạn muốn kiểm chứng. Nếu đã có bài kiểm chứng, bạn nhận kết quả ngay.",
            "Send a post, message or rumour you want checked. If we have already checked it, you get the result at once.",
        ),
        "pub.tip.want_reply": ("Tôi muốn nhận phản hồi", "I would like a reply"),
        "pub.tip.contact": ("Email hoặc số điện thoại để nhận phản hồi", "E-mail or phone for the reply"),
        "pub.tip.contact_help": (
            "Không bắt buộc. Chỉ lưu khi bạn đánh dấu ô trên, cất riêng và xóa được bất cứ lúc nào.",
            "Optional. Kept only if you tick the box above, stored separately, deletable at any time.",
        ),
        "pub.tip.privacy": ("Quyền riêng tư", "Privacy"),
        "pub.tip.max": ("Tối đa {n} ký tự.", "At most {n} characters."),
        "pub.tip.answered": ("Đã có bài kiểm chứng", "Already checked"),
        "pub.tip.warned": ("Cảnh báo lừa đảo", "Scam warning"),
        "pub.tip.received": ("Đã nhận tin của bạn", "Tip received"),
        "pub.tip.received_body": (
            "Cảm ơn bạn. Chúng tôi chưa có bài kiểm chứng về nội dung này; tin đã được chuyển tới bàn biên tập để xem xét.",
            "Thank you. We have not checked this yet; your tip has been passed to the editors' desk.",
        ),
        "pub.tip.ref": ("Mã tin: #{n}", "Tip reference: #{n}"),
        "pub.tip.read_more": ("Đọc bài kiểm chứng", "Read the fact-check"),
        "pub.tip.delete_link": (
            "Đường dẫn xóa thông tin liên hệ của bạn (hãy lưu lại):",
            "Link to delete your contact details (keep it):",
        ),
        "pub.tip.another": ("Gửi tin khác", "Send another tip"),
        "pub.tip.confirm_contact": (
            "Bạn đã nhập thông tin liên hệ nhưng chưa chọn «Tôi muốn nhận phản hồi».",
            "You typed contact details but did not tick “I would like a reply”.",
        ),
        "pub.tip.confirm_contact_help": (
            "Bạn có muốn chúng tôi lưu thông tin này để phản hồi khi kiểm chứng xong không? Nếu không, tin vẫn được gửi nhưng thông tin liên hệ sẽ không được lưu.",
            "Shall we keep it to reply once the check is done? If not, the tip is still sent but the contact is not stored.",
        ),
        "pub.tip.confirm_yes": ("Có, hãy phản hồi cho tôi", "Yes, reply to me"),
        "pub.tip.confirm_no": ("Gửi tin, không lưu liên hệ", "Send without my contact"),
        "pub.tipstatus.title": ("Trạng thái tin bạn gửi", "Status of your tip"),
        "pub.tipstatus.missing": (
            "Không tìm thấy tin với đường dẫn này.",
            "No tip found at this link.",
        ),
        "pub.tipstatus.status": ("Trạng thái", "Status"),
        "pub.tipstatus.received_at": ("Gửi lúc", "Sent at"),
        "pub.tipstatus.your_tip": ("Nội dung", "Your tip"),
        "pub.tipstatus.keep_link": (
            "Lưu đường dẫn này để xem kết quả khi bài kiểm chứng được đăng:",
            "Keep this link to see the result once the fact-check is published:",
        ),
        "pub.tipstatus.will_reply": (
            "Chúng tôi sẽ phản hồi qua thông tin liên hệ bạn để lại khi kiểm chứng xong, rồi xóa thông tin đó.",
            "We will reply to the contact you left once the check is done, then delete it.",
        ),
        "pub.tipstatus.what_to_do": ("Bạn nên làm gì", "What to do"),
        "pub.tipstatus.why": ("Vì sao", "Why"),
        "pub.tipstatus.not_mine": ("Không phải điều tôi hỏi", "Not what I asked"),
        "pub.tipstatus.not_mine_help": (
            "Bài này không đúng câu hỏi của bạn? Bấm nút để chuyển tin tới biên tập viên.",
            "Not your question? Send your tip to an editor.",
        ),
        "pub.tipstatus.sent_to_desk": (
            "Cảm ơn bạn đã báo. Tin đã được chuyển tới bàn biên tập.",
            "Thank you. Your tip has been passed to the editors.",
        ),
        "pub.tipstatus.related": ("Có thể liên quan", "Possibly related"),
        "pub.tipstatus.related_help": (
            "Bài này gần với tin của bạn nhưng chưa chắc là cùng một thông tin, nên chưa phải câu trả lời.",
            "This is close to your tip but may not be the same claim, so it is not an answer.",
        ),
        "pub.fc.asked": ("Được hỏi {n} lần qua đường dây nhận tin", "Asked {n} times through the tipline"),
        "pub.tip.scam_check": (
            "Kiểm tra chi tiết đường dẫn / số điện thoại",
            "Check the link / phone number",
        ),
        "pub.tip.delete.title": ("Xóa thông tin liên hệ", "Delete contact details"),
        "pub.tip.delete.confirm": (
            "Bạn có chắc muốn xóa thông tin liên hệ đã gửi kèm tin? Chúng tôi sẽ không thể phản hồi bạn nữa. Nội dung tin vẫn được giữ để kiểm chứng.",
            "Delete the contact details sent with your tip? We will no longer be able to reply. The tip text itself is kept for checking.",
        ),
        "pub.tip.delete.button": ("Xóa thông tin liên hệ", "Delete my contact details"),
        "pub.tip.delete.done": (
            "Đã xóa thông tin liên hệ của bạn.",
            "Your contact details have been deleted.",
        ),
        "pub.tip.delete.missing": (
            "Không tìm thấy thông tin liên hệ với đường dẫn này (có thể đã được xóa).",
            "No contact details for this link (they may already be deleted).",
        ),
        "pub.scam.title": ("Kiểm tra lừa đảo", "Scam check"),
        "pub.scam.lead": (
            "Nhập đường dẫn, tên miền, số điện thoại hoặc số tài khoản để kiểm tra.",
            "Enter a link, domain, phone number or bank account to check.",
        ),
        "pub.scam.placeholder": ("vd. vcb-hotro.com hoặc 0912 345 678", "e.g. vcb-hotro.com or 0912 345 678"),
        "pub.scam.submit": ("Kiểm tra", "Check"),
        "pub.list.title": ("Bài kiểm chứng", "Fact-checks"),
        "pub.list.all_verdicts": ("Tất cả", "All"),
        "pub.list.count": ("{n} bài", "{n} fact-checks"),
        "pub.list.empty": ("Chưa có bài kiểm chứng nào.", "No fact-checks yet."),
        "pub.pager.prev": ("← Trang trước", "← Previous"),
        "pub.pager.next": ("Trang sau →", "Next →"),
        "pub.pager.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
        "pub.search.title": ("Tìm kiếm", "Search"),
        "pub.search.placeholder": (
            "Gõ có dấu hoặc không dấu, vd. nuoc chanh ung thu",
            "With or without diacritics, e.g. nuoc chanh ung thu",
        ),
        "pub.search.submit": ("Tìm", "Search"),
        "pub.search.results": ("{n} kết quả cho «{q}»", "{n} results for “{q}”"),
        "pub.search.none": (
            "Không tìm thấy bài kiểm chứng phù hợp. Bạn có thể gửi nội dung này để chúng tôi kiểm chứng.",
            "No matching fact-check. You can send this to us to be checked.",
        ),
        "pub.detail.claim": ("Nhận định", "Claim"),
        "pub.detail.verdict": ("Kết luận", "Verdict"),
        "pub.detail.summary": ("Tóm tắt", "Summary"),
        "pub.detail.sources": ("Nguồn trích dẫn", "Sources"),
        "pub.detail.history": ("Lịch sử xuất bản và đính chính", "Publication and correction history"),
        "pub.detail.published": ("Xuất bản", "Published"),
        "pub.detail.updated": ("Cập nhật", "Updated"),
        "pub.detail.correction": ("Đính chính", "Correction"),
        "pub.detail.retracted": ("Bài đã bị rút lại", "This fact-check was retracted"),
        "pub.detail.retracted_on": ("Rút lại ngày {date}.", "Retracted on {date}."),
        "pub.detail.appeared": ("Xuất hiện tại", "Appeared at"),
        "pub.detail.share_tip": (
            "Thấy nội dung tương tự ở nơi khác? Gửi cho chúng tôi.",
            "Seen something similar elsewhere? Send it to us.",
        ),
        "pub.related": ("Bài liên quan", "Related fact-checks"),
        "pub.detail.views": ("{n} lượt đọc", "{n} reads"),
        "pub.detail.no_sources": ("Bài này không có nguồn trích dẫn riêng.", "No separate sources cited."),
        "pub.method.title": ("Phương pháp kiểm chứng", "Our methodology"),
        "pub.method.scale": ("Thang kết luận", "Verdict scale"),
        "pub.method.rating": ("Điểm ClaimReview", "ClaimReview rating"),
        "pub.method.scale_lead": (
            "Mỗi bài kiểm chứng kết thúc bằng một trong các kết luận dưới đây. Điểm ClaimReview (1 = sai nhất, 5 = đúng nhất) được công bố trong dữ liệu máy đọc được của từng bài.",
            "Each fact-check ends with one of the verdicts below. The ClaimReview rating (1 = worst, 5 = best) is published in each page's machine-readable data.",
        ),
        "pub.method.choose": ("Chúng tôi chọn gì để kiểm chứng", "What we check"),
        "pub.method.choose_body": (
            "Chúng tôi theo dõi các nhận định lan truyền công khai và tin do bạn đọc gửi. Một nhận định được ưu tiên khi nó kiểm chứng được (có số liệu, sự kiện, trích dẫn), lan truyền rộng, hoặc có thể gây hại (sức khỏe, tài chính, an toàn).",
            "We follow publicly spreading claims and tips sent by readers. A claim is prioritised when it is checkable (figures, events, quotes), spreading widely, or potentially harmful (health, money, safety).",
        ),
        "pub.method.sources": ("Nguồn", "Sources"),
        "pub.method.sources_body": (
            "Chúng tôi ưu tiên văn bản chính thức, dữ liệu gốc và chuyên gia có thẩm quyền. Mỗi bài nêu rõ nguồn, kèm trích dẫn và đường dẫn để bạn tự kiểm tra. Mỗi bài được một biên tập viên viết và một người khác duyệt trước khi đăng.",
            "We prefer official documents, primary data and qualified experts. Every fact-check names its sources with quotes and links so you can verify them yourself. Each is written by one editor and reviewed by another before publication.",
        ),
        "pub.method.corrections": ("Chính sách đính chính", "Corrections policy"),
        "pub.method.corrections_body": (
            "Khi phát hiện sai sót, chúng tôi sửa bài và ghi chú đính chính công khai ngay trên bài, kèm ngày sửa. Nếu kết luận không còn đứng vững, bài được rút lại kèm lý do; đường dẫn cũ vẫn hiển thị thông báo rút bài. Mọi đính chính được liệt kê tại trang Đính chính.",
            "When we find an error we fix the article and add a public, dated correction note on it. If a verdict no longer stands, the article is retracted with the reason; its old link keeps showing the retraction notice. Every correction is listed on the Corrections page.",
        ),
        "pub.method.people": ("Nhận định, không phải con người", "Claims, not people"),
        "pub.method.people_body": (
            "Chúng tôi kiểm chứng nhận định, không theo dõi cá nhân. Khi thu thập bài đăng công khai, chúng tôi bỏ tên, tài khoản và đường dẫn trang cá nhân của người đăng; không có chức năng tìm theo người và không gán nhãn quan điểm cho ai.",
            "We check claims, we do not track people. When collecting public posts we drop the poster's name, handle and profile link; there is no search by person and nobody is labelled by opinion.",
        ),
        "pub.corrections.title": ("Nhật ký đính chính", "Corrections log"),
        "pub.corrections.lead": (
            "Mọi đính chính và bài rút lại, mới nhất trước.",
            "Every correction and retraction, newest first.",
        ),
        "pub.corrections.retraction": ("Rút bài", "Retraction"),
        "pub.corrections.empty": ("Chưa có đính chính nào.", "No corrections yet."),
        "pub.about.logs": ("Nhật ký máy chủ", "Server logs"),
        "pub.about.logs_body": (
            "Máy chủ chỉ ghi mỗi yêu cầu một dòng: mã yêu cầu, loại yêu cầu, đường dẫn đã bỏ phần truy vấn (nội dung bạn tra cứu, mã xóa liên hệ không bao giờ được ghi), mã kết quả và thời gian xử lý. Chúng tôi không ghi địa chỉ IP, trình duyệt hay trang bạn đến từ đó. Mã yêu cầu được gửi kèm câu trả lời (X-Request-ID) để bạn có thể báo lỗi mà không cần cho biết danh tính.",
            "The server writes one line per request: a request id, the method, the path without its query string (what you looked up and contact-deletion tokens are never written), the status and the time taken. We do not log IP addresses, browsers or referring pages. The request id is sent back with the answer (X-Request-ID) so you can report a problem without identifying yourself.",
        ),
        "pub.about.title": ("Giới thiệu", "About us"),
        "pub.about.publisher": ("Đơn vị xuất bản", "Publisher"),
        "pub.about.body": (
            "Chúng tôi kiểm chứng thông tin lan truyền trên mạng, cảnh báo các thủ đoạn lừa đảo và trả lời câu hỏi của bạn đọc qua đường dây tiếp nhận tin. Bài kiểm chứng được đăng kèm dữ liệu ClaimReview để công cụ tìm kiếm và các nền tảng có thể hiển thị kết luận.",
            "We fact-check information spreading online, warn about scams and answer readers' questions through our tipline. Fact-checks are published with ClaimReview data so search engines and platforms can show the verdict.",
        ),
        "pub.about.open": ("Dữ liệu mở", "Open data"),
        "pub.about.open_body": (
            "Bài kiểm chứng có sẵn qua RSS, Atom và API JSON công khai.",
            "Fact-checks are available via RSS, Atom and a public JSON API.",
        ),
        "pub.about.contact": ("Liên hệ", "Contact"),
    }
)

register(
    {
        "pub.detail.byline": ("Bởi {name}", "By {name}"),
        "pub.detail.corrected_on": ("Bài đã được đính chính ngày {date}", "Corrected on {date}"),
        "pub.detail.corrected_minor": ("sửa nhỏ", "minor fix"),
        "pub.share.title": ("Chia sẻ bài này", "Share this fact-check"),
        "pub.share.email": ("Gửi thư", "E-mail"),
        "pub.method.meaning": ("Ý nghĩa", "Meaning"),
        "pub.method.unrated": (
            "không xếp trên thang đúng–sai: chưa đủ căn cứ để kết luận",
            "not placed on the true–false scale: not enough evidence to conclude",
        ),
        "pub.list.no_such_page": (
            "Không có trang này trong danh sách.",
            "There is no such page in this list.",
        ),
    }
)
