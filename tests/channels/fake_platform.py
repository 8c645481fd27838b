"""A local stand-in for the Zalo OA, Graph (Messenger) and Telegram Bot APIs, served by uvicorn.

It records every request and answers like the real APIs: success bodies as documented, and on
demand a 429 with ``Retry-After`` (and Telegram's ``parameters.retry_after``), a 5xx, or Zalo's
expired-token error -216 until the token is refreshed through the OAuth endpoint. Pictures put in
``files`` are served as the platforms serve attachments: Zalo's and Messenger's CDN URLs
(``/cdn/{name}``), Telegram's ``getFile`` and ``/file/bot<token>/<file_path>``.

Reply windows: Messenger refuses a ``RESPONSE`` more than 24 hours after the person's last
message (HTTP 400, code 10, subcode 2018278) and Zalo a customer-service message more than 7 days
after it (HTTP 200, error -230); Telegram has none. The fake does not see the webhooks, so a test
tells it when a person last wrote (``interacted``); people it was not told about are in the window.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Call:
    platform: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int


@dataclass
class FakePlatform:
    calls: list[Call] = field(default_factory=list)
    plans: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # next statuses
    retry_after: str = "1"
    zalo_token: str = "zalo-access-1"
    zalo_refreshed: int = 0
    zalo_refresh_ok: str = "r1"  # the one refresh token that works now (each works once)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""
    fail_every: int = 0  # answer every Nth send with a 429 (load tests)
    sends: int = 0
    files: dict[str, bytes] = field(default_factory=dict)  # attachments by name / Telegram file_id
    last_message: dict[tuple[str, str], float] = field(default_factory=dict)  # (platform, user) -> epoch
    windows: dict[str, float] = field(default_factory=lambda: {"messenger": 24 * 3600.0, "zalo": 7 * 86400.0})

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.plans.clear()
            self.zalo_token, self.zalo_refreshed, self.zalo_refresh_ok = "zalo-access-1", 0, "r1"
            self.files.clear()
            self.last_message.clear()

    def interacted(self, platform: str, user: str, at: float) -> None:
        """``user`` last wrote to the page / OA / bot at ``at`` (seconds since the epoch)."""
        self.last_message[(platform, user)] = at

    def _closed(self, platform: str, user: str) -> bool:
        """Whether the platform's reply window for ``user`` has closed, as the real API decides."""
        at = self.last_message.get((platform, user))
        window = self.windows.get(platform)
        return at is not None and window is not None and time.time() - at > window

    def delivered(self, platform: str | None = None) -> list[Call]:
        """Requests answered with success (the replies a user actually got)."""
        return [
            c
            for c in self.calls
            if c.status == 200
            and (platform is None or c.platform == platform)
            and "oauth" not in c.path
            and not c.path.endswith("/answerCallbackQuery")
        ]

    def taps_answered(self) -> list[str]:
        """The ``callback_query_id`` of every ``answerCallbackQuery`` received, in order."""
        return [
            str(c.body.get("callback_query_id"))
            for c in self.calls
            if c.path.endswith("/answerCallbackQuery") and c.status == 200
        ]

    def _planned(self, platform: str) -> int:
        with self.lock:
            self.sends += 1
            if self.fail_every and self.sends % self.fail_every == 0:
                return 429
            plan = self.plans.get(platform)
            return plan.pop(0) if plan else 200

    async def zalo_send(self, request: Request) -> JSONResponse:
        body = orjson.loads(await request.body())
        status = self._planned("zalo")
        headers = dict(request.headers)
        if self._closed("zalo", str((body.get("recipient") or {}).get("user_id"))):
            self.calls.append(Call("zalo", request.url.path, headers, body, 299))  # 200 with an error
            return JSONResponse(
                {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}
            )
        if status == 200 and headers.get("access_token") != self.zalo_token:
            self.calls.append(Call("zalo", request.url.path, headers, body, 299))
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        self.calls.append(Call("zalo", request.url.path, headers, body, status))
        if status != 200:
            return JSONResponse(
                {"error": -32, "message": "busy"},
                status_code=status,
                headers={"Retry-After": self.retry_after},
            )
        return JSONResponse({"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.calls)}"}})

    async def zalo_refresh(self, request: Request) -> JSONResponse:
        form = await request.form()
        self.calls.append(Call("zalo", "/oauth" + request.url.path, dict(request.headers), dict(form), 200))
        with self.lock:
            if form.get("refresh_token") != self.zalo_refresh_ok:  # spent or unknown: Zalo refuses it
                self.calls[-1].status = 400
                return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
            self.zalo_refreshed += 1
            self.zalo_token = f"zalo-access-{self.zalo_refreshed + 1}"
            self.zalo_refresh_ok = f"r{self.zalo_refreshed + 1}"
        return JSONResponse(
            {"access_token": self.zalo_token, "refresh_token": self.zalo_refresh_ok, "expires_in": "90000"}
        )

    async def messenger_send(self, request: Request) -> JSONResponse:
        body = orjson.loads(await request.body())
        status = self._planned("messenger")
        if self._closed("messenger", str(body["recipient"]["id"])):
            self.calls.append(Call("messenger", request.url.path, dict(request.headers), body, 400))
            return JSONResponse(
                {
                    "error": {
                        "message": "(#10) This message is sent outside of allowed window.",
                        "type": "OAuthException",
                        "code": 10,
                        "error_subcode": 2018278,
                        "fbtrace_id": "AbCdEfGh012",
                    }
                },
                status_code=400,
            )
        self.calls.append(Call("messenger", request.url.path, dict(request.headers), body, status))
        if status != 200:
            return JSONResponse(
                {"error": {"message": "(#613) Calls to this api have exceeded the rate limit.", "code": 613}},
                status_code=status,
                headers={"Retry-After": self.retry_after},
            )
        return JSONResponse({"recipient_id": body["recipient"]["id"], "message_id": f"m_{len(self.calls)}"})

    async def telegram(self, request: Request) -> JSONResponse:
        body = orjson.loads(await request.body())
        method = request.path_params["method"]
        status = self._planned("telegram") if method == "sendMessage" else 200
        self.calls.append(Call("telegram", request.url.path, dict(request.headers), body, status))
        if status == 429:
            wait = int(self.retry_after)
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {wait}",
                    "parameters": {"retry_after": wait},
                },
                status_code=429,
            )
        if status != 200:
            return JSONResponse(
                {"ok": False, "error_code": status, "description": "Bad Gateway"}, status_code=status
            )
        if method == "answerCallbackQuery":
            if not body.get("callback_query_id"):
                self.calls[-1].status = 400
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: query id is invalid"},
                    status_code=400,
                )
            return JSONResponse({"ok": True, "result": True})
        if method == "setWebhook":
            return JSONResponse({"ok": True, "result": True, "description": "Webhook was set"})
        if method == "getFile":
            fid = str(body.get("file_id"))
            if fid not in self.files:
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                    status_code=400,
                )
            return JSONResponse(
                {
                    "ok": True,
                    "result": {
                        "file_id": fid,
                        "file_unique_id": "u" + fid[-8:],
                        "file_size": len(self.files[fid]),
                        "file_path": f"photos/file_{fid}.jpg",
                    },
                }
            )
        return JSONResponse(
            {"ok": True, "result": {"message_id": len(self.calls), "chat": {"id": body["chat_id"]}}}
        )

    def _file(self, platform: str, request: Request, name: str) -> Response:
        self.calls.append(
            Call(platform, request.url.path, dict(request.headers), {}, 200 if name in self.files else 404)
        )
        if name not in self.files:
            return Response(b"not found", status_code=404)
        return Response(self.files[name], media_type="application/octet-stream")

    async def cdn(self, request: Request) -> Response:
        """An attachment URL as Zalo and Messenger send them (the platform named in ``?p=``)."""
        return self._file(request.query_params.get("p", "cdn"), request, request.path_params["name"])

    async def telegram_file(self, request: Request) -> Response:
        name = request.path_params["path"].removeprefix("photos/file_").removesuffix(".jpg")
        return self._file("telegram", request, name)

    async def calls_log(self, request: Request) -> JSONResponse:
        """What was received, for a load test running the fake in its own process."""
        return JSONResponse([[c.platform, c.path, c.status, c.body] for c in self.calls])

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/_calls", self.calls_log, methods=["GET"]),
                Route("/v3.0/oa/message/cs", self.zalo_send, methods=["POST"]),
                Route("/v4/oa/access_token", self.zalo_refresh, methods=["POST"]),
                Route("/me/messages", self.messenger_send, methods=["POST"]),
                Route("/bot{token}/{method}", self.telegram, methods=["POST"]),
                Route("/cdn/{name}", self.cdn, methods=["GET"]),
                Route("/file/bot{token}/{path:path}", self.telegram_file, methods=["GET"]),
            ]
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(fake: FakePlatform) -> tuple[uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    fake.base = f"http://127.0.0.1:{port}"
    return server, thread


if __name__ == "__main__":  # python fake_platform.py PORT [FAIL_EVERY]
    import sys

    fake = FakePlatform(fail_every=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    uvicorn.run(fake.app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
