"""Personal data masking on the formats Vietnamese people actually write."""

from __future__ import annotations

import pytest

from kiemchung.feedback.mask import PLACEHOLDERS, mask

PHONE, EMAIL, ID, PLATE = (PLACEHOLDERS[k] for k in ("phone", "email", "id", "plate"))

PHONES = [
    "0912345678",
    "0912 345 678",
    "0912.345.678",
    "0912-345-678",
    "091 234 5678",
    "+84912345678",
    "+84 912 345 678",
    "+84.912.345.678",
    "(+84) 912 345 678",
    "84912345678",
    "0388 123 456",
    "0703.456.789",
    "0567 890 123",
    "0868-123-456",
    "024 3825 1234",
    "028.3822.1234",
    "02363 822 123",
    "+84 24 3825 1234",
]
EMAILS = ["an.nguyen@example.vn", "Binh_Tran+gopy@mail.example.com.vn", "x@y.io"]
IDS = ["001203012345", "079198001234", "123456789"]
PLATES = [
    "30A-123.45",
    "51F1-234.56",
    "29-B1 123.45",
    "30A12345",
    "51G-12345",
    "29B1-12345",
    "59X2 123.45",
    "43C-1234",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_in_every_common_format(phone: str) -> None:
    assert mask(f"Liên hệ anh Tư {phone} để biết thêm.") == f"Liên hệ anh Tư {PHONE} để biết thêm."


@pytest.mark.parametrize("phone", PHONES[:6])
def test_phone_at_the_start_end_and_in_brackets(phone: str) -> None:
    assert mask(phone) == PHONE
    assert mask(f"(SĐT: {phone})") == f"(SĐT: {PHONE})"
    assert mask(f"gọi {phone}.") == f"gọi {PHONE}."


@pytest.mark.parametrize("email", EMAILS)
def test_emails(email: str) -> None:
    assert mask(f"Gửi thư tới {email}, cảm ơn.") == f"Gửi thư tới {EMAIL}, cảm ơn."


@pytest.mark.parametrize("number", IDS)
def test_id_numbers(number: str) -> None:
    assert mask(f"Số CCCD/CMND của tôi là {number}") == f"Số CCCD/CMND của tôi là {ID}"


@pytest.mark.parametrize("plate", PLATES)
def test_plates(plate: str) -> None:
    assert mask(f"Xe biển {plate} đỗ chắn cổng.") == f"Xe biển {PLATE} đỗ chắn cổng."


def test_several_kinds_in_one_text() -> None:
    text = "Ô tô 30A-123.45 của chủ nhà 0912.345.678 (email chu.nha@example.vn, CCCD 001203012345) đỗ trên vỉa hè."
    out = mask(text)
    assert out == f"Ô tô {PLATE} của chủ nhà {PHONE} (email {EMAIL}, CCCD {ID}) đỗ trên vỉa hè."
    assert mask(out) == out  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "Đường 3/2 có 12 ổ gà, mỗi ổ sâu 15 cm.",
        "Dự án trị giá 1.500.000.000 đồng, khởi công ngày 15/11/2026.",
        "Gọi 112, 113, 114, 115 hoặc tổng đài 1900 1234 khi khẩn cấp.",
        "Quốc lộ 1A và cao tốc CT01 đoạn km 12+500.",
        "Năm 2025 có 34 tỉnh, thành phố.",
        "Khu phố có 1200 hộ, 4500 nhân khẩu.",
        "Trường THCS số 5, lớp 9A2.",
        "Tầng 12A, tòa nhà 88 Láng Hạ.",
    ],
)
def test_ordinary_numbers_and_public_hotlines_stay(text: str) -> None:
    assert mask(text) == text
