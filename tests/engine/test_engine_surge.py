"""Surge detection replays a synthetic five-week stream with daily cycles and one known burst."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from kiemchung.engine.surge import detect, robust_z

START = datetime(2026, 10, 26)  # a Monday, 00:00 UTC
BURST_AT = START + timedelta(days=32, hours=14, minutes=20)  # a Thursday afternoon, near the daily peak
BURST_LEN = timedelta(hours=3)


def _rate(t: datetime, peak: float) -> float:
    """Events per hour: quiet at night, peak mid-afternoon, weekends at 60 %."""
    hour = t.hour + t.minute / 60
    daily = 0.08 + 0.92 * max(0.0, np.sin(np.pi * (hour - 6) / 16)) ** 2 if 6 <= hour <= 22 else 0.08
    return float(peak * daily * (0.6 if t.weekday() >= 5 else 1.0))


def _stream(seed: int = 7, burst_rate: float = 40.0) -> list[tuple[tuple[str, str], datetime]]:
    rng = np.random.default_rng(seed)
    events: list[tuple[tuple[str, str], datetime]] = []
    t = START
    step = timedelta(minutes=5)
    end = START + timedelta(days=35)
    while t < end:
        for key, peak in ((("thời tiết", "Thành phố Huế"), 12.0), (("y tế", "Thành phố Hà Nội"), 20.0)):
            lam = _rate(t, peak)
            if key[0] == "thời tiết" and BURST_AT <= t < BURST_AT + BURST_LEN:
                lam += burst_rate
            for _ in range(int(rng.poisson(lam * step / timedelta(hours=1)))):
                events.append((key, t + timedelta(seconds=float(rng.uniform(0, 300)))))
        t += step
    return events


def _alarms(events: list[tuple[tuple[str, str], datetime]], since: datetime, until: datetime) -> list:
    out = []
    t = since
    while t < until:
        for s in detect(events, t):
            out.append((t, s))
        t += timedelta(minutes=10)
    return out


def test_burst_fires_within_first_hour_and_daily_cycles_do_not() -> None:
    events = _stream()
    last_week = START + timedelta(days=28)
    alarms = _alarms(events, last_week, BURST_AT + timedelta(hours=1))
    burst_key = ("thời tiết", "Thành phố Huế")
    before = [(t, s) for t, s in alarms if t <= BURST_AT]
    assert before == [], f"false alarms on ordinary daily cycles: {before[:3]}"
    during = [t for t, s in alarms if s.key == burst_key and t > BURST_AT]
    assert during, "the burst was never flagged"
    assert during[0] - BURST_AT <= timedelta(hours=1)
    # The other topic only follows its daily cycle (peaks included) and never alarms.
    assert all(s.key == burst_key for _, s in alarms)


def test_no_alarm_across_a_whole_ordinary_week() -> None:
    events = [(k, t) for k, t in _stream(seed=11) if not (BURST_AT <= t < BURST_AT + BURST_LEN)]
    assert _alarms(events, START + timedelta(days=28), START + timedelta(days=35)) == []


def test_a_small_bump_below_threshold_is_not_a_surge() -> None:
    assert robust_z(14, [10, 12, 11, 9, 13, 10, 12, 11, 10, 12, 11, 13])[0] < 5
