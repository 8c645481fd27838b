"""One way to fetch a URL from the server: ``safe_fetch``.

Every server-side fetch (reference library URLs, ``kiemchung ingest <URL>``, scam feeds) goes through
here, so that a URL typed by an editor or served by a feed cannot make the server read its own
network: private, loopback, link-local (cloud metadata), multicast and reserved addresses are refused
after DNS resolution, at the moment of connecting (so a name that resolves differently the second
time gains nothing), and again for every redirect, which is followed by hand. Only http and https;
the body is streamed under a byte cap and a total deadline.

An operator's own feed on an internal address is allowed by name or network in settings
(``fetch_allow_hosts``, ``fetch_allow_networks``); a redirect from such a host to any other internal
address is still refused.

    >>> blocked_address("10.1.2.3"), blocked_address("169.254.169.254"), blocked_address("8.8.8.8")
    (True, True, False)
    >>> safe_fetch("ftp://files.example.org/list.txt", max_bytes=100)
    Traceback (most recent call last):
    ...
    kiemchung.net.FetchError: Không phải địa chỉ http(s): ftp://files.example.org/list.txt
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from kiemchung.web.i18n import _

USER_AGENT = "kiemchung/0.1 (+fact-checking desk)"
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
# Names that reach a cloud provider's instance metadata without going through DNS checks we can see.
METADATA_NAMES = {"metadata", "metadata.google.internal", "metadata.goog", "instance-data"}


class FetchError(ValueError):
    """A fetch refused or failed; the message is bilingual and safe to show an editor."""

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.kind = kind  # scheme | address | too_large | timeout | http | redirects | failed


@dataclass(frozen=True)
class Allowance:
    """Hosts (exact names, or ``.suffix`` for a domain and its subdomains) and networks an operator trusts."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def of(cls, hosts: Iterable[str] = (), networks: Iterable[str] = ()) -> Allowance:
        """
        >>> a = Allowance.of(["feeds.example.org", ".intranet.example"], ["10.8.0.0/16"])
        >>> a.host_allowed("FEEDS.example.org"), a.host_allowed("x.intranet.example"), a.host_allowed("example.org")
        (True, True, False)
        >>> a.address_allowed("10.8.1.1"), a.address_allowed("10.9.1.1")
        (True, False)
        """
        return cls(
            frozenset(h.strip().lower().rstrip(".") for h in hosts if h.strip()),
            tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()),
        )

    @classmethod
    def from_settings(cls) -> Allowance:
        from kiemchung.settings import get_settings

        s = get_settings()
        return cls.of(s.fetch_allow_hosts, s.fetch_allow_networks)

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(h.startswith(".") and host.endswith(h) for h in self.hosts)

    def address_allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in n for n in self.networks)


def blocked_address(address: str) -> bool:
    """Whether ``address`` is anything but a public unicast address (IPv4-mapped IPv6 unwrapped)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def _refused(host: str, address: str) -> FetchError:
    return FetchError(
        _(
            "Địa chỉ nội bộ bị từ chối: %(host)s là địa chỉ riêng, cục bộ hoặc dành riêng (%(address)s)",
            host=host,
            address=address,
        ),
        "address",
    )


def check_host(host: str, port: int, allow: Allowance) -> str:
    """The address to connect to for ``host``: every address it resolves to must be public,
    unless the host or the address is allow-listed. Raises ``FetchError``."""
    host = host.strip("[]").lower().rstrip(".")
    if allow.host_allowed(host):
        return host
    if host in METADATA_NAMES:
        raise _refused(host, "metadata")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("Không phân giải được tên miền %(host)s: %(exc)s", host=host, exc=exc)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(_("Không phân giải được tên miền %(host)s", host=host))
    for address in addresses:
        if blocked_address(address) and not allow.address_allowed(address):
            raise _refused(host, address)
    return addresses[0]


class _CheckedBackend(httpcore.SyncBackend):
    """Connects only to checked addresses: the name is resolved and judged here, at connect time,
    and the socket is opened to the very address judged (TLS still verifies the name)."""

    def __init__(self, allow: Allowance) -> None:
        self.allow = allow

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = check_host(host, port, self.allow)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def _client(allow: Allowance, timeout: float) -> httpx.Client:
    transport = httpx.HTTPTransport()
    # The default transport resolves names itself; give its pool our checking backend. trust_env is
    # off: an environment proxy would resolve names where no check can follow.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=_CheckedBackend(allow)
    )
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


@dataclass
class Response:
    url: str  # after redirects
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        charset = httpx.Headers(self.headers).get("content-type", "")
        enc = charset.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in charset else "utf-8"
        try:
            return self.content.decode(enc, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def _check_url(url: httpx.URL, allow: Allowance) -> None:
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(_("Không phải địa chỉ http(s): %(url)s", url=url), "scheme")
    host = url.host.lower()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return  # a name: judged when connecting
    if blocked_address(str(literal)) and not (allow.host_allowed(host) or allow.address_allowed(host)):
        raise _refused(host, host)


def safe_fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    max_redirects: int = MAX_REDIRECTS,
    headers: dict[str, str] | None = None,
    allow: Allowance | None = None,
) -> Response:
    """GET ``url`` within ``timeout`` seconds in all (connect, redirects, body) and ``max_bytes``.

    HTTP error statuses are returned, not raised; refusals and failures raise ``FetchError``.
    """
    allow = allow if allow is not None else Allowance.from_settings()
    deadline = time.monotonic() + timeout
    try:
        current = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(_("URL không hợp lệ: %(exc)s", exc=exc), "scheme") from None
    with _client(allow, timeout) as client:
        for _hop in range(max_redirects + 1):
            _check_url(current, allow)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(_("Hết thời gian chờ"), "timeout")
            try:
                with client.stream("GET", current, headers=headers, timeout=httpx.Timeout(remaining)) as resp:
                    location = resp.headers.get("location")
                    if resp.status_code in REDIRECTS and location:
                        current = resp.url.join(location)
                        continue
                    return Response(
                        str(resp.url), resp.status_code, dict(resp.headers), _read(resp, max_bytes, deadline)
                    )
            except httpx.TimeoutException:
                raise FetchError(_("Hết thời gian chờ"), "timeout") from None
            except httpx.HTTPError as exc:
                cause = exc.__context__ or exc.__cause__
                if isinstance(cause, FetchError):
                    raise cause from None
                raise FetchError(_("Lỗi tải: %(name)s", name=type(exc).__name__)) from None
    raise FetchError(
        _("Quá nhiều chuyển hướng %(max_redirects)s redirects", max_redirects=max_redirects), "redirects"
    )


def _read(resp: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            _("Quá lớn: %(declared)s bytes > %(max_bytes)s", declared=declared, max_bytes=max_bytes),
            "too_large",
        )
    buf = bytearray()
    for chunk in resp.iter_bytes():
        buf.extend(chunk)
        if len(buf) > max_bytes:  # the declared length can lie, or be absent
            raise FetchError(_("Quá lớn: > %(max_bytes)s bytes", max_bytes=max_bytes), "too_large")
        if time.monotonic() > deadline:  # a body that trickles in never trips the read timeout
            raise FetchError(_("Hết thời gian chờ"), "timeout")
    return bytes(buf)
