"""Passage splitting for the evidence library."""

from __future__ import annotations

from kiemchung.engine.evidence import split_passages

DOC = (
    "Bộ Y tế khẳng định nước ấm không tiêu diệt được virus. Virus bị bất hoạt ở 56 độ C trong 30 phút. "
    "Nhiệt độ cơ thể người không thể đạt mức đó. Người dân nên rửa tay bằng xà phòng. "
    "Đeo khẩu trang khi đến nơi công cộng. Gọi 1900 9095 khi có triệu chứng."
)


def test_windows_of_three_sentences_overlap_by_one() -> None:
    ps = split_passages(DOC)
    assert len(ps) == 3
    assert ps[0].startswith("Bộ Y tế") and ps[0].endswith("đạt mức đó.")
    assert ps[1].startswith("Nhiệt độ cơ thể")  # the last sentence of the previous window
    assert ps[-1].endswith("triệu chứng.")


def test_every_sentence_is_in_some_passage() -> None:
    ps = split_passages(DOC, size=2, overlap=0)
    joined = " ".join(ps)
    for s in ("56 độ C", "rửa tay", "1900 9095"):
        assert s in joined
    assert len(ps) == 3


def test_long_sentences_close_a_window_early_and_empty_text_has_none() -> None:
    long = "Một câu rất dài " + "với nhiều chữ " * 80 + "kết thúc."
    ps = split_passages(f"{long} Câu ngắn. Câu ngắn nữa.", max_chars=300)
    assert ps[0] == long.strip() and len(ps) == 2
    assert split_passages("   ") == []
