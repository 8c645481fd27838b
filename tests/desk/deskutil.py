"""Helpers for the desk tests (imported by name: the test folders have no packages)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from kiemchung.store import models, session_scope
from kiemchung.store.models import utcnow

PASSWORD = "mat-khau-dai-du-10"
ROLES = ("admin", "editor", "reviewer", "viewer")


def csrf_of(client: TestClient, path: str = "/desk/login") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``name`` in; returns the session's CSRF token."""
    token = csrf_of(client)
    r = client.post(
        "/desk/login",
        data={"email": f"{name}@test.vn", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    return token


def seed_claims(specs: list[dict]) -> list[int]:  # type: ignore[type-arg]
    """Claims with items; spec keys: text, worth, items (list of hours ago), engagement, topic, status, match."""
    now = utcnow()
    ids = []
    with session_scope() as s:
        src = s.scalar(models.Source.__table__.select().where(models.Source.name == "Nguồn thử"))
        if src is None:
            source = models.Source(name="Nguồn thử")
            s.add(source)
            s.flush()
            sid = source.id
        else:
            sid = src.id
        for n, spec in enumerate(specs):
            ages = spec.get("items", [1])
            c = models.Claim(
                text=spec["text"],
                checkworthiness=spec.get("worth", 0.5),
                topic=spec.get("topic"),
                status=models.ClaimStatus(spec.get("status", "new")),
                item_count=len(ages),
                engagement=spec.get("engagement", 0),
                first_seen=now - timedelta(hours=max(ages)),
                last_seen=now - timedelta(hours=min(ages)),
                best_match_id=spec.get("match"),
                best_match_level="suggest" if spec.get("match") else None,
                features=spec.get("features", {}),
            )
            s.add(c)
            s.flush()
            for k, age in enumerate(ages):
                text = spec.get("item_text", spec["text"]) + ("" if k == 0 else f" ({k})")
                it = models.Item(
                    source_id=sid,
                    text=text,
                    content_hash=f"{c.id}-{n}-{k}",
                    published_at=now - timedelta(hours=age),
                    likes=spec.get("engagement", 0) // len(ages),
                )
                s.add(it)
                s.flush()
                s.add(models.ClaimItem(claim_id=c.id, item_id=it.id, sentence=text))
            ids.append(c.id)
    return ids
