"""Backups taken while the site takes writes restore cleanly; a restore drops derived state."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from kiemchung.store import db as store_db
from kiemchung.store.backup import backup, restore
from kiemchung.store.db import session_scope
from kiemchung.store.models import Item, Source, Tip
from kiemchung.text import content_hash


def _seed(url: str, n: int = 3000) -> int:
    with session_scope(url) as s:
        src = Source(name="tipline-thu")
        s.add(src)
        s.flush()
        rows = [
            {
                "source_id": src.id,
                "text": f"Tin số {i} về giá điện tháng này",
                "norm_text": f"Tin số {i} về giá điện tháng này",
                "content_hash": content_hash(f"tin {i}"),
            }
            for i in range(n)
        ]
        s.execute(insert(Item), rows)
        return src.id


def _tip_flood(url: str, source_id: int, stop: threading.Event, counter: list[int]) -> None:
    """Like the tipline: each tip is an item and a tip row pointing at it, in one transaction."""
    i = 0
    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        with session_scope(url) as s:
            item = Item(
                source_id=source_id,
                text=f"Tin báo {i}",
                norm_text=f"Tin báo {i}",
                content_hash=content_hash(f"bao {i}"),
            )
            s.add(item)
            s.flush()
            s.add(Tip(text=f"Tin báo {i}", item_id=item.id))
        i += 1
        counter[0] = i


def test_backup_during_tip_traffic_restores(db_url: str, tmp_path: Path, _sqlite_template: Path) -> None:
    source_id = _seed(db_url)
    stop = threading.Event()
    counter = [0]
    writer = threading.Thread(target=_tip_flood, args=(db_url, source_id, stop, counter))
    writer.start()
    files = []
    try:
        while counter[0] < 5:
            time.sleep(0.01)
        for k in range(3):
            files.append(tmp_path / f"live-{k}.jsonl.gz")
            backup(files[-1], url=db_url)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert counter[0] > 5, "the tip flood did not run during the backups"
    for k, file in enumerate(files):
        target = tmp_path / f"restored-{k}.db"
        shutil.copy(_sqlite_template, target)
        url = f"sqlite:///{target}"
        restore(file, url=url)  # no FOREIGN KEY failure
        with session_scope(url) as s:
            tips = s.scalar(select(func.count()).select_from(Tip))
            orphans = s.scalar(
                select(func.count())
                .select_from(Tip)
                .where(Tip.item_id.is_not(None), ~select(Item.id).where(Item.id == Tip.item_id).exists())
            )
        assert orphans == 0 and tips is not None
    store_db.dispose_engines()


def test_sqlite_backup_leaves_no_snapshot_behind(sqlite_url: str, tmp_path: Path) -> None:
    _seed(sqlite_url, 10)
    out = tmp_path / "out"
    out.mkdir()
    backup(out / "b.jsonl.gz", url=sqlite_url)
    assert [p.name for p in out.iterdir()] == ["b.jsonl.gz"]


def test_restore_drops_the_index_and_dedup_state_and_sync_compares_content(
    configured: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from kiemchung.engine.index import get_index
    from kiemchung.settings import get_settings
    from kiemchung.store.models import Claim

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    settings = get_settings()
    with session_scope() as s:
        s.add_all([Claim(text="Trường học nghỉ cả tuần vì bão"), Claim(text="Giá sữa bột giảm một nửa")])
    file = tmp_path / "truoc.jsonl.gz"
    backup(file)
    # Afterwards the store changes under the same ids, and the index follows it.
    with session_scope() as s:
        for c in s.scalars(select(Claim)):
            c.text = f"Nội dung khác hẳn {c.id}"
        idx = get_index(s)
        idx.sync(s)
    assert sorted(get_index().claims.texts) == ["Nội dung khác hẳn 1", "Nội dung khác hẳn 2"]
    (settings.data_dir / "dedup.pkl").write_bytes(b"state of the old rows")
    assert settings.resolved_index_dir.exists()

    restore(file, force=True)
    assert not settings.resolved_index_dir.exists()
    assert not (settings.data_dir / "dedup.pkl").exists()
    with session_scope() as s:
        texts = sorted(get_index(s).claims.texts)  # rebuilt from the restored rows
    assert texts == ["Giá sữa bột giảm một nửa", "Trường học nghỉ cả tuần vì bão"]


def test_index_sync_replaces_a_claim_whose_text_changed_under_the_same_id(
    configured: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from kiemchung.engine.index import get_index
    from kiemchung.settings import get_settings
    from kiemchung.store.models import Claim

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    with session_scope() as s:
        s.add(Claim(text="Cầu Long Biên đóng cửa vĩnh viễn"))
    with session_scope() as s:
        idx = get_index(s)
        assert idx.claims.texts == ["Cầu Long Biên đóng cửa vĩnh viễn"]
        claim = s.scalars(select(Claim)).one()
        claim.text = "Phà Cát Lái ngừng chạy đêm nay"
        s.flush()
        stats = idx.sync(s)
    assert stats["claims"] == 1
    assert idx.claims.texts == ["Phà Cát Lái ngừng chạy đêm nay"]
