"""Settings of the HTTP service (environment variables prefixed ``REPORTQA_``, or a ``.env`` file).

Access rules, in one place:

* ``REPORTQA_API_KEYS`` (comma list) may read: chat, documents, feedback posting, the OpenAI
  endpoint, metrics. ``REPORTQA_ADMIN_KEYS`` may also write: ``POST``/``DELETE /documents`` and
  ``GET /feedback``. A key is sent as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``.
* With no key configured at all, anyone who can reach the server may read, and the server must be
  bound to a loopback address: :meth:`ApiSettings.bind_host` turns any other host into
  ``127.0.0.1`` and logs a warning saying so.
* With no admin key configured, write endpoints are allowed only from loopback clients
  (127.0.0.0/8, ::1), whatever read keys exist. Behind a reverse proxy on the same machine every
  client looks like loopback, so set admin keys before putting the service behind a proxy.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, urlparse

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.settings import AssistantSettings
from vectorstore.settings import StoreSettings

logger = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is a loopback address."""
    if not host:
        return False
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split_list(value: object) -> object:
    """Read a comma-separated variable (``a,b , c``) as a list; blanks are dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ApiSettings(BaseSettings):
    """How the HTTP service listens, whom it lets in and how much it accepts.

    Only entry points (``reportqa serve``, tests) build this; :func:`api.app.create_app` takes it.
    """

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    host: str = Field(default=LOOPBACK_HOST, description=(
        "Address `reportqa serve` binds to. Without any API key configured only a loopback "
        "address is allowed (another host is replaced by 127.0.0.1, with a warning)."))
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of `reportqa serve`.")
    public_url: str | None = Field(default=None, description=(
        "The address users reach the service at, e.g. 'https://reportqa.example.org'; used for "
        "links to letters in OpenAI-compatible answers and Slack messages. Unset: no links."))
    database_url: SecretStr | None = Field(default=None, description=(
        "SQLAlchemy URL of the one database holding conversations, feedback and the Slack bot's "
        "state, e.g. 'postgresql+psycopg://reportqa:PASSWORD@db.example.org:5432/reportqa' "
        "when several hosts serve (postgres:// and postgresql:// mean the same). Unset: the "
        "SQLite file reportqa.sqlite3 in REPORTQA_DATA_DIR (StoreSettings.data_dir; one host, "
        "any number of workers). "
        "Logged only with its password hidden."))
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description=(
        "Comma-separated keys that may read (chat, documents, posting feedback, /v1, metrics). "
        "Empty with no admin keys either: no authentication, loopback only."))
    admin_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description=(
        "Comma-separated keys that may also write (upload/delete letters, read feedback). Empty: "
        "writes are allowed only from loopback clients."))
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description=(
        "Comma-separated browser origins allowed to call the API from other sites, e.g. "
        "'https://intranet.example.org'; '*' allows any. Empty: same-origin only."))
    rate_limit_per_minute: float = Field(default=300.0, ge=0, description=(
        "Sustained requests per minute allowed per key (or per client address without a key); "
        "enough for a 20-person office sharing one address (docs/deployment.md, 'Rate "
        "limits'); 0 disables rate limiting."))
    rate_limit_burst: int = Field(default=100, ge=1, description=(
        "Requests a key may send at once before the per-minute rate applies (bucket size)."))
    max_body_bytes: int = Field(default=1_000_000, ge=1024, description=(
        "Largest request body accepted by JSON endpoints, in bytes (larger: 413)."))
    max_upload_bytes: int = Field(default=20_000_000, ge=1024, description=(
        "Largest letter file accepted by POST /documents, in bytes (larger: 413)."))
    max_upload_files: int = Field(default=20, ge=1, description=(
        "Most files one POST /documents request may carry."))
    history_turns: int = Field(default=10, ge=0, le=50, description=(
        "Earlier turns of a conversation (chat API and Slack) handed to the assistant."))
    model_id: str = Field(default="reportqa", min_length=1, description=(
        "Model id the OpenAI-compatible endpoint lists at /v1/models and answers as."))

    @field_validator("api_keys", "admin_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_database_url(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url", mode="before")
    @classmethod
    def _check_public_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            parsed = urlparse(value.strip())
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise ValueError(f"public_url {value!r} is not an http(s) URL; set "
                                 "REPORTQA_PUBLIC_URL to e.g. https://reportqa.example.org")
            return value.strip().rstrip("/")
        return value

    # ---- access ------------------------------------------------------------------------------
    @property
    def auth_enabled(self) -> bool:
        """True when any API or admin key is configured (requests must then carry one)."""
        return bool(self.api_keys or self.admin_keys)

    def read_keys(self) -> list[str]:
        """Every key that may read (API keys and admin keys)."""
        return [k.get_secret_value() for k in (*self.api_keys, *self.admin_keys)]

    def write_keys(self) -> list[str]:
        """Every key that may write (admin keys)."""
        return [k.get_secret_value() for k in self.admin_keys]

    def host_allowed(self, host: str) -> bool:
        """Whether the server may bind ``host``: any host with keys configured, else loopback."""
        return self.auth_enabled or is_loopback(host)

    def bind_host(self, requested: str | None = None) -> str:
        """The address to bind: ``requested`` (or :attr:`host`) when allowed, else 127.0.0.1.

        Without any key configured the service is open to whoever reaches it, so it only listens
        on loopback; a warning says what happened and how to open it up.
        """
        host = requested or self.host
        if self.host_allowed(host):
            if not self.auth_enabled:
                logger.warning("no API keys configured (REPORTQA_API_KEYS, REPORTQA_ADMIN_KEYS): "
                               "serving without authentication on loopback host=%s only", host)
            return host
        logger.warning("no API keys configured (REPORTQA_API_KEYS, REPORTQA_ADMIN_KEYS): "
                       "refusing to bind host=%s, binding %s only; set keys to serve other "
                       "hosts", host, LOOPBACK_HOST)
        return LOOPBACK_HOST

    # ---- links -------------------------------------------------------------------------------
    def letter_url(self, document_id: str, char_start: int | None = None,
                   char_end: int | None = None) -> str | None:
        """Link to the chat page showing a letter (with a highlighted span), or None without
        :attr:`public_url`."""
        if not self.public_url:
            return None
        url = f"{self.public_url}/#letter={quote(document_id, safe='')}"
        if char_start is not None and char_end is not None:
            url += f"&start={int(char_start)}&end={int(char_end)}"
        return url

    # ---- database ----------------------------------------------------------------------------
    def database_url_for(self, data_dir: Path) -> str:
        """:attr:`database_url`, or ``sqlite:///<data_dir>/reportqa.sqlite3`` when unset.

        ``data_dir`` is the store's (:attr:`vectorstore.settings.StoreSettings.data_dir`, the one
        ``REPORTQA_DATA_DIR``). The URL may hold a password: log :func:`api.database.redact_url`
        of it, never the URL itself.
        """
        from api.database import default_database_url

        given = self.database_url.get_secret_value().strip() if self.database_url else ""
        return given or default_database_url(data_dir)


class SlackSettings(BaseSettings):
    """Slack credentials and bot options.

    The three Slack variables keep Slack's own names (no prefix), as Slack's documentation and
    Bolt use them; the others are prefixed ``REPORTQA_``. What the bot shares with the rest of the
    service (the public URL for links, the history length, the database) comes from
    :class:`ApiSettings` and the store's settings, not from here.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "bot_token"),
        description="Bot User OAuth Token (xoxb-...), from the app's 'OAuth & Permissions' page.")
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "signing_secret"),
        description="Signing Secret from the app's 'Basic Information' page; every HTTP request "
                    "from Slack is verified with it (not needed in Socket Mode).")
    app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "app_token"),
        description="App-Level Token (xapp-...) with the connections:write scope; Socket Mode "
                    "only.")
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("REPORTQA_SLACK_API_URL", "slack_api_url"),
        description="Base URL of the Slack Web API (tests point it at a local fake).")
    command: str = Field(
        default="/reports", validation_alias=AliasChoices("REPORTQA_SLACK_COMMAND", "command"),
        pattern=r"^/[a-z0-9_-]{1,31}$",
        description="The slash command, as declared in the app manifest.")
    command_response: Literal["in_channel", "ephemeral"] = Field(
        default="in_channel",
        validation_alias=AliasChoices("REPORTQA_SLACK_COMMAND_RESPONSE", "command_response"),
        description="Whether slash-command answers are shown to the channel or only to the asker.")
    session_minutes: float = Field(
        default=30.0, gt=0,
        validation_alias=AliasChoices("REPORTQA_SLACK_SESSION_MINUTES", "session_minutes"),
        description="Outside threads (a DM, repeated slash commands) earlier turns count as the "
                    "same conversation for this many minutes of quiet.")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"


@dataclass(frozen=True)
class ServiceSettings:
    """Every setting of the service, each read from one place, built once by an entry point.

    * where the letters and the default database live: :class:`StoreSettings` (``data_dir``);
    * how questions are answered: :class:`AssistantSettings`;
    * how the HTTP service listens, links and keeps conversations: :class:`ApiSettings`;
    * the Slack credentials and bot options: :class:`SlackSettings`.
    """

    store: StoreSettings
    assistant: AssistantSettings
    api: ApiSettings
    slack: SlackSettings

    @classmethod
    def from_env(cls) -> ServiceSettings:
        """Read every group from the environment (and ``.env``)."""
        return cls(store=StoreSettings(), assistant=AssistantSettings(), api=ApiSettings(),
                   slack=SlackSettings())

    @property
    def database_url(self) -> str:
        """The one database of conversations, feedback and Slack state (may hold a password)."""
        return self.api.database_url_for(self.store.data_dir)
