"""The cache layer: expiry, invalidation by name, the registry."""

from __future__ import annotations

import pytest

from kiemchung import cache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def prices(clock: Clock):  # type: ignore[no-untyped-def]
    c = cache.register("test.prices", ttl=30.0, doc="giá thử", clock=clock)
    yield c
    cache.unregister("test.prices")


def test_entries_expire_after_ttl(prices, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    builds: list[int] = []
    assert prices.get_or_set("xang", lambda: builds.append(1) or 23_000) == 23_000
    clock.now += 29.9
    assert prices.get_or_set("xang", lambda: builds.append(1) or 1) == 23_000
    clock.now += 0.2
    assert prices.get("xang") is None
    assert prices.peek("xang") == (23_000, pytest.approx(30.1))
    assert prices.get_or_set("xang", lambda: builds.append(1) or 24_000) == 24_000
    assert len(builds) == 2


def test_set_restamps_a_stale_entry(prices, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    prices.set("dau", 20_000)
    clock.now += 60
    value, age = prices.peek("dau")
    assert age == 60
    prices.set("dau", value)  # revalidated without rebuilding
    assert prices.get("dau") == 20_000


def test_invalidate_by_name_and_key(prices) -> None:  # type: ignore[no-untyped-def]
    prices.set("a", 1)
    prices.set("b", 2)
    cache.invalidate("test.prices", "a")
    assert (prices.get("a"), prices.get("b")) == (None, 2)
    cache.invalidate("test.prices")
    assert len(prices) == 0
    cache.invalidate("no.such.cache")  # a cache never registered in this process: nothing to drop


def test_clear_all_empties_every_cache(prices) -> None:  # type: ignore[no-untyped-def]
    other = cache.register("test.other", ttl=None)
    try:
        prices.set("a", 1)
        other.set("b", 2)
        cache.clear_all()
        assert len(prices) == len(other) == 0
    finally:
        cache.unregister("test.other")


def test_registry_is_idempotent_and_documented(prices) -> None:  # type: ignore[no-untyped-def]
    assert cache.register("test.prices", ttl=30.0) is prices
    assert cache.get("test.prices") is prices
    with pytest.raises(ValueError, match="already registered"):
        cache.register("test.prices", ttl=5.0)
    info = {c.name: c for c in cache.caches()}
    assert info["test.prices"].doc == "giá thử" and info["test.prices"].ttl == 30.0


def test_search_index_is_a_registered_cache() -> None:
    import kiemchung.engine.index  # noqa: F401  (registers "engine.index")

    assert cache.get("engine.index").ttl is None


def test_revalidate_keeps_a_stale_entry_while_its_signature_holds(prices, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    version = {"n": 1}
    builds: list[int] = []

    def build() -> int:
        builds.append(version["n"])
        return 1000 * version["n"]

    def sig() -> int:
        return version["n"]

    assert prices.revalidate("snap", sig, build) == 1000
    clock.now += 10
    assert prices.revalidate("snap", lambda: 1 / 0, build) == 1000  # fresh: no signature asked
    clock.now += 25
    assert prices.revalidate("snap", sig, build) == 1000  # stale, same signature: kept
    assert prices.peek("snap")[1] == 0  # and re-stamped
    version["n"] = 2
    assert prices.revalidate("snap", sig, build) == 1000  # fresh again, so not re-checked yet
    clock.now += 31
    assert prices.revalidate("snap", sig, build) == 2000
    assert builds == [1, 2]
    prices.invalidate()
    assert prices.revalidate("snap", sig, build) == 2000 and builds == [1, 2, 2]


def test_entries_lists_every_entry_with_its_age(prices, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    prices.set("a", 1)
    clock.now += 40  # stale for get(), still listed
    prices.set("b", 2)
    assert sorted(prices.entries()) == [("a", 1, 40.0), ("b", 2, 0.0)]


def test_scam_and_dedup_state_live_on_the_layer(configured_sqlite: str) -> None:
    """What is kept per database between requests is dropped by ``clear_all`` like the rest, so a
    test (or a restore) that empties the layer leaves nothing of the previous database behind."""
    from kiemchung.engine import pipeline
    from kiemchung.scam import blocklist, registry
    from kiemchung.store import session_scope

    assert cache.get("scam.registry").ttl == registry.REGISTRY_TTL
    assert cache.get("scam.snapshot").ttl == blocklist.RECHECK_SECONDS
    assert cache.get("engine.dedup").ttl is None
    with session_scope() as session:
        registry.load_registry(session)  # official channels read from this database, not the seed
        reg, snap = registry.registry_for(session), blocklist.get_snapshot(session)
        with pipeline._DEDUP_LOCK:
            dd = pipeline._deduper(session)
        assert registry.registry_for(session) is reg and blocklist.get_snapshot(session) is snap
        assert pipeline._deduper(session) is dd
        cache.clear_all()
        assert registry.registry_for(session) is not reg
        assert blocklist.get_snapshot(session) is not snap
        assert pipeline._deduper(session) is not dd


def test_dedup_state_is_saved_lazily_then_on_demand(configured_sqlite: str) -> None:
    from kiemchung.engine import pipeline
    from kiemchung.store import session_scope

    path = pipeline._dedup_path()
    with session_scope() as session:
        pipeline._deduper(session)
    pipeline.save_dedup()  # loaded a moment ago: not yet worth writing
    assert not path.exists()
    pipeline.save_dedup(force=True)
    assert path.exists()
    ((_url, _dd, age),) = cache.get("engine.dedup").entries()
    assert age < pipeline.DEDUP_SAVE_SECONDS  # the age counts from the save
