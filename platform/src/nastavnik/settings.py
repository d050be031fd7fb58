"""Settings read from the environment (prefix ``NASTAVNIK_``).

Every field carries a docstring: it is the operator's documentation, and
``nastavnik settings`` prints it. Values that are absent fall back to embedded
services only in development, and only where the development distribution nastavnik-dev
is installed (see :mod:`nastavnik.development`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    """How the platform runs: development allows demo conveniences, production forbids them."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Configuration of one Nastavnik deployment."""

    model_config = SettingsConfigDict(
        env_prefix="NASTAVNIK_",
        use_attribute_docstrings=True,
        extra="ignore",
        frozen=True,
    )

    mode: Mode = Mode.DEVELOPMENT
    """`development` or `production`.

    Production refuses the development sign-in and the embedded services."""

    database_url: str | None = None
    """PostgreSQL URL of the owner role that runs migrations and seeds, e.g.
    `postgresql+asyncpg://nastavnik_owner@db:5432/nastavnik`. Unset in development: an embedded PostgreSQL.

    Only `nastavnik db upgrade` (and the demo's seed) connect as the owner. `serve` and `worker` take
    the host, port and database from this URL and connect as the roles below, each with its own
    password: give them the URL without the owner's password."""

    db_app_role: str = "nastavnik_app"
    """Database role the web application connects as. It owns nothing and cannot bypass row-level security."""

    db_app_password: SecretStr | None = None
    """Password of the application role; unset where the server trusts local connections."""

    db_auditor_role: str = "nastavnik_auditor"
    """Database role that may read and export the audit log, and nothing else of personal data."""

    db_auditor_password: SecretStr | None = None
    """Password of the auditor role."""

    db_aggregator_role: str = "nastavnik_aggregator"
    """Database role the statistics worker connects as: reads across organisations through explicit
    read-only policies, writes only the statistics tables."""

    db_aggregator_password: SecretStr | None = None
    """Password of the aggregator role."""

    db_provisioner_role: str = "nastavnik_provisioner"
    """Database role of the background jobs that bring organisations and people's accounts in (onboarding,
    account provisioning, access sync). It reads organisations and onboarding requests, creates login
    identities, links a person to their account with their programme roles and keeps the batches' progress;
    each transaction is bound to the one organisation its job names, and it can do nothing else."""

    db_provisioner_password: SecretStr | None = None
    """Password of the provisioner role; unset where the server trusts local connections."""

    db_pool_size: int = Field(default=10, ge=1, le=200)
    """Connections per process in the application role's pool."""

    redis_url: str | None = None
    """Redis URL for sessions and the job queue, e.g. `redis://redis:6379/0`.

    Unset in development: an embedded Redis."""

    redis_prefix: str = "nastavnik"
    """Prefix of every Redis key the platform writes, so deployments or test runs can share one Redis."""

    secret_key: SecretStr = SecretStr("development-only-secret-key-change-me-please")
    """Key that signs session cookies and CSRF tokens.

    Must be a random value of at least 32 characters in production."""

    session_max_age: int = Field(default=8 * 3600, ge=60)
    """Seconds a signed-in session lives at most, however active (the absolute timeout)."""

    session_idle_timeout: int = Field(default=30 * 60, ge=60)
    """Seconds without a request after which a session ends (the idle timeout)."""

    public_url: str = "http://127.0.0.1:8000"
    """The address people open the platform at; the sign-in callback is `<public_url>/auth/callback`."""

    data_dir: str = ".nastavnik"
    """Folder for the embedded services' data in development (relative to the working directory)."""

    host: str = "127.0.0.1"
    """Address `nastavnik serve` and `nastavnik demo` listen on."""

    port: int = Field(default=8000, ge=1, le=65535)
    """Port `nastavnik serve` and `nastavnik demo` listen on."""

    log_format: str | None = None
    """`json` or `console`. Unset: JSON in production, readable console lines in development."""

    log_level: str = "INFO"
    """Minimum level of log records: DEBUG, INFO, WARNING or ERROR."""

    worker_job_timeout: int | None = Field(default=None, ge=1, le=86400)
    """Upper bound, in seconds, of every background job's timeout. A job whose worker died is picked up
    again only after the longest job timeout plus 10 s: lower this where quick recovery matters.
    Unset: each job's own timeout."""

    worker_shutdown_grace: int = Field(default=5, ge=0, le=3600)
    """Seconds a stopping worker (SIGTERM, Ctrl-C) lets its running jobs finish before it cancels them;
    a cancelled job goes back to the queue at once. Keep it below the container's stop timeout
    (10 s for podman and docker, 30 s for Kubernetes by default)."""

    statistics_night_hour: int = Field(default=2, ge=0, le=23)
    """The hour of the night, on each region's own clock, when its statistics are recomputed for the new day
    (the worker checks every hour which regions have reached it)."""

    statistics_recompute_connections: int = Field(default=2, ge=1, le=16)
    """Connections a municipality's or the region's recompute computes its organisations' figures over at
    once, each for a share of the organisations; the figures are then written in the one transaction that
    replaces the snapshot (docs/statistics.md, «Against the floor»). About the cores PostgreSQL can give the
    statistics worker; 1: all on one connection. Each share opens its own connection and closes it after."""

    statistics_cache_size: int = Field(default=256, ge=0, le=100_000)
    """Dashboards kept in each process's memory, per snapshot (a recompute makes a new one); 0: none."""

    smtp_host: str | None = None
    """Mail server the notifications' e-mail goes through, e.g. `smtp.edu.example.ru`. Unset: no e-mail
    at all, notifications only in the platform's own list (docs/notifications.md)."""

    smtp_port: int = Field(default=587, ge=1, le=65535)
    """Port of the mail server: 587 with STARTTLS (the default), 465 with `smtp_ssl`, 25 unencrypted."""

    smtp_user: str | None = None
    """Login at the mail server; unset: send without authentication (a relay inside the network)."""

    smtp_password: SecretStr | None = None
    """Password of `smtp_user`."""

    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS when the server offers it (port 587)."""

    smtp_ssl: bool = False
    """Speak TLS from the first byte (port 465); overrides `smtp_starttls`."""

    smtp_timeout: int = Field(default=30, ge=1, le=300)
    """Seconds to wait for the mail server at each step before the attempt counts as a temporary failure."""

    mail_from: str = "Наставник <noreply@nastavnik.local>"
    """The sender of the notifications' e-mail (`From`), a name and an address the mail server accepts;
    its domain also ends every message's Message-ID."""

    notification_max_attempts: int = Field(default=6, ge=1, le=50)
    """Tries of one e-mail after temporary failures (4xx, connection refused), with growing pauses
    (1, 5, 15, 60 minutes, then every 3 hours); then it is recorded as not delivered."""

    notification_batch_size: int = Field(default=200, ge=1, le=10_000)
    """E-mails one run of the delivery job sends at most (it runs every minute)."""

    reminders_hour: int = Field(default=8, ge=0, le=23)
    """The morning hour, on each region's own clock, when the reminders' scan runs for its organisations
    (questionnaires without an answer, plan tasks due and overdue, roadmap items due, club meetings
    tomorrow, stages waiting for the curator); the worker checks every hour which regions have reached it."""

    questionnaire_reminder_days: int = Field(default=3, ge=1, le=60)
    """Days after a questionnaire was assigned when a person who has not answered it is reminded."""

    keycloak_url: str | None = None
    """Base URL of the region's Keycloak, e.g. `https://sso.edu.example.ru`. Unset: no single sign-on
    (development only: the development sign-in is offered instead)."""

    keycloak_realm: str = "nastavnik"
    """Keycloak realm of the region."""

    keycloak_client_id: str = "nastavnik-web"
    """Confidential client the pages sign in with (authorization code flow with PKCE)."""

    keycloak_client_secret: SecretStr | None = None
    """Secret of the pages' client."""

    keycloak_audience: str = "nastavnik-api"
    """Audience every access token must carry (added by the client's audience mapper)."""

    keycloak_allowed_azp: str = "nastavnik-web"
    """Comma-separated clients whose access tokens the API accepts (the token's `azp`)."""

    keycloak_admin_client_id: str = "nastavnik-admin"
    """Service-account client the platform manages users and organizations with (onboarding)."""

    keycloak_admin_client_secret: SecretStr | None = None
    """Secret of the onboarding client."""

    account_password_ttl: int = Field(default=24 * 3600, ge=300, le=7 * 24 * 3600)
    """Seconds the one-time passwords of new accounts are held (encrypted, in Redis) so the curator can
    print the access sheet. Afterwards they are gone for good and must be reset to be handed out."""

    account_min_learner_age: int = Field(default=14, ge=6, le=18)
    """Learners younger than this get no account of their own when a curator creates accounts
    (a minor older than this needs the recorded consent of a legal representative)."""

    token_leeway: int = Field(default=30, ge=0, le=60)
    """Seconds of clock skew tolerated on a token's `exp` and `nbf` (at most 60)."""

    role_region: str = "nastavnik-region"
    """Realm role that admits the regional level (with an assignment to a region in the platform)."""

    role_municipality: str = "nastavnik-municipality"
    """Realm role that admits the municipal level (with an assignment to a municipality in the platform)."""

    role_auditor: str = "nastavnik-auditor"
    """Realm role that admits an auditor of the audit log."""

    role_region_admin: str = "nastavnik-region-admin"
    """Realm role that admits a region's administrator (with an administrator's assignment to the region in
    the platform): keeps the region's municipalities and appoints its staff."""

    role_platform_admin: str = "nastavnik-platform-admin"
    """Realm role of the platform's administrator, who creates regions and their first administrators.
    The role alone admits them: it is held in Keycloak only, with no assignment in the platform."""

    dev_issuer: bool = False
    """Start the Keycloak-compatible development issuer (tests and the demo). Refused in production."""

    dev_issuer_port: int = Field(default=8180, ge=1, le=65535)
    """Loopback port of the development issuer that `nastavnik demo` starts."""

    service_tenant_filter: bool = True
    """Keep the service layer's own tenant checks. Only the isolation suite turns this off, to prove that
    PostgreSQL's row-level security alone still holds; refused in production."""

    plugins: str | None = None
    """Comma-separated names of the plugins to load from the `nastavnik` entry-point group.

    Unset: every installed plugin."""

    db_transaction_pooling: bool = False
    """Set when `serve` and `worker` reach PostgreSQL through PgBouncer in transaction pooling mode
    (`pool_mode = transaction`): their `database_url` then names PgBouncer. Every connection is made
    without prepared statements kept across transactions (asyncpg's and SQLAlchemy's statement caches
    off, each statement parsed unnamed), and the settings PgBouncer refuses at connection start are set
    at the start of each transaction instead. Costs about one round trip per statement; leave it off
    when connecting to PostgreSQL directly or through a pooler in session mode.

    `nastavnik db upgrade` must always connect to PostgreSQL itself, never through PgBouncer: give it
    a `database_url` that names the server (docs/pooling.md)."""

    database_replica_url: str | None = None
    """URL of a streaming standby of the database (`pg_basebackup -R`, or the managed service's read
    replica), e.g. `postgresql+asyncpg://db-replica:5432/nastavnik`. Only its host, port, database and
    query are used: the roles and their passwords are those of the primary. Where set, the dashboards,
    the statistics pages of the region, municipalities and organisations (and their API) and the
    downloads of monitoring reports read from it; everything that writes, and everything that must see
    what was just written (the audit log's entries included), stays on the primary. A standby lags a
    little behind: a recompute shows there a moment later. Unset: everything reads from the primary."""

    metrics_enabled: bool | None = None
    """Serve Prometheus metrics at `/metrics` on the web port (docs/observability.md). Unset: served in
    development, and in production only when `metrics_token` is set. `true`: served, with the token where
    one is set and to anyone who reaches the port otherwise (keep `/metrics` off the ingress then);
    `false`: never served (404)."""

    metrics_token: SecretStr | None = None
    """Token Prometheus must send as `Authorization: Bearer <token>` to read `/metrics` on the web port and
    the worker's metrics; without it, or with another, the answer is 401. Unset: no token is asked."""

    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """Port `nastavnik worker` serves its own Prometheus metrics on (jobs' durations and failures, its
    database pools), at `http://<host>:<port>/metrics` with the address of `host`. Unset: none served."""

    statistics_fresh: bool = True
    """Recompute an organisation's figures shortly after a change to what its indicators count (a pair
    formed or ended, an import, an answer, a plan task, a headcount, a plugin's events), so that its page
    and the dashboards show it within a minute (docs/statistics.md, «Fresh figures»). `false`: the figures
    are those of the night's run until the next night (the tests' default, which a test turns on)."""

    statistics_fresh_delay: int = Field(default=20, ge=0, le=3600)
    """Seconds an organisation's recompute waits after the first change: the changes of those seconds are
    counted by one run, shown about this long after, plus the run's own time. 0: at once."""

    web_workers: int = Field(default=1, ge=1, le=64)
    """Processes `nastavnik serve` runs, sharing the web port (`--workers` overrides it). Each process has
    its own database pool (`db_pool_size` connections) and its own Prometheus metrics: with more than one,
    a scrape of `/metrics` answers from whichever process takes it (docs/observability.md), so under
    Prometheus prefer more replicas of one process each. Cannot be combined with `--with-worker`."""

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    def check(self) -> None:
        """Refuse settings that are unsafe for the chosen mode."""
        if not self.is_production:
            return
        problems = []
        if self.database_url is None:
            problems.append("NASTAVNIK_DATABASE_URL must be set in production")
        if self.redis_url is None:
            problems.append("NASTAVNIK_REDIS_URL must be set in production")
        if "development-only" in self.secret_key.get_secret_value() or len(self.secret_key) < 32:
            problems.append("NASTAVNIK_SECRET_KEY must be a random value of at least 32 characters")
        if not self.service_tenant_filter:
            problems.append("NASTAVNIK_SERVICE_TENANT_FILTER cannot be off in production")
        if self.dev_issuer:
            problems.append("NASTAVNIK_DEV_ISSUER cannot be on in production")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def keycloak_issuer(self) -> str | None:
        """The exact `iss` of the realm's tokens."""
        if self.keycloak_url is None:
            return None
        return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}"

    @property
    def allowed_azp(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.keycloak_allowed_azp.split(",") if c.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    settings = Settings()
    settings.check()
    return settings
