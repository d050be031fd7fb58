"""The process's long-lived resources: engines per database role, Redis, plugins."""

from __future__ import annotations

import getpass
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from arq.connections import ArqRedis
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from nastavnik import fresh_figures
from nastavnik.auth.keyset import KeySet
from nastavnik.auth.oidc import OidcClient
from nastavnik.auth.tokens import TokenVerifier
from nastavnik.cache import LruCache
from nastavnik.db import pooling
from nastavnik.db.fair_pool import FairAsyncQueuePool
from nastavnik.db.roles import DbRoles
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.jobs import open_queue
from nastavnik.plugins import Plugins, load_plugins, plugin_names_from_setting
from nastavnik.settings import Settings


def async_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed


def role_url(owner_url: str, role: str, password: str | None) -> URL:
    return async_url(owner_url).set(username=role, password=password)


def role_engine(
    settings: Settings,
    role: str,
    password: SecretStr | None,
    *,
    url: str | None = None,
    server_settings: dict[str, str] | None = None,
    **options: Any,
) -> AsyncEngine:
    """An engine connecting as ``role`` to the server of ``url`` (the primary's ``database_url`` unless
    named), fit for a transaction pooler in front of it where ``db_transaction_pooling`` says so."""
    server = url or settings.database_url
    assert server is not None
    pooling_mode = settings.db_transaction_pooling
    options.setdefault("poolclass", FairAsyncQueuePool)
    engine = create_async_engine(
        role_url(server, role, _secret(password)),
        connect_args=pooling.connect_args(pooling_mode, server_settings),
        **options,
    )
    pooling.set_per_transaction(engine, pooling.per_transaction(pooling_mode, server_settings or {}))
    return engine


@dataclass
class Runtime:
    """What a process holds. ``serve`` and ``worker`` hold no owner connection (``owner`` is None): they act
    as the application, auditor, aggregator and provisioner roles only. Migrations, the demo's seed and the
    tests build a runtime with ``owner=True``."""

    settings: Settings
    plugins: Plugins
    roles: DbRoles
    app_engine: AsyncEngine
    auditor_engine: AsyncEngine
    aggregator_engine: AsyncEngine
    provisioner_engine: AsyncEngine
    redis: Redis
    owner: AsyncEngine | None = None
    replica_app_engine: AsyncEngine | None = None
    """The application role on the read replica (``database_replica_url``); None without one."""
    aggregator_shares_engine: AsyncEngine | None = None
    """The aggregator role's connections for the shares of a regional recompute, opened for each share and
    closed after it (no pool): a share never waits for a connection another recompute holds
    (docs/statistics.md, «Against the floor»). None: the shares take theirs from ``aggregator_engine``."""
    http: httpx.AsyncClient | None = None
    verifier: TokenVerifier | None = None
    oidc: OidcClient | None = None
    queue: ArqRedis | None = None
    statistics_cache: LruCache = field(default_factory=lambda: LruCache(0))
    """Dashboards' figures per snapshot (nastavnik.cache); sized from the settings."""

    def __post_init__(self) -> None:
        if self.statistics_cache.size == 0:
            self.statistics_cache = LruCache(self.settings.statistics_cache_size)
        self.app_sessions = async_sessionmaker(self.app_engine, expire_on_commit=False)
        self.auditor_sessions = async_sessionmaker(self.auditor_engine, expire_on_commit=False)
        self.aggregator_sessions = async_sessionmaker(self.aggregator_engine, expire_on_commit=False)
        self.provisioner_sessions = async_sessionmaker(self.provisioner_engine, expire_on_commit=False)
        self.replica_sessions = (
            async_sessionmaker(self.replica_app_engine, expire_on_commit=False)
            if self.replica_app_engine is not None
            else None
        )
        fresh_figures.attach(self)  # commits that change counted data schedule their recompute

    def provisioner_session(self, org_id: uuid.UUID) -> AsyncSession:
        """A session of the provisioning jobs, bound to the one organisation the job names: the provisioner
        role's policies let it touch that organisation's rows only."""
        return scoped_session(self.provisioner_sessions, DbScope(identity_id=None, org_id=org_id))

    @property
    def owner_engine(self) -> AsyncEngine:
        """The owner's connections: migrations and seeds only; a web or worker process has none."""
        if self.owner is None:
            raise RuntimeError("this process holds no owner connection (build_runtime(..., owner=True))")
        return self.owner

    def owner_sessions(self) -> AsyncSession:
        return async_sessionmaker(self.owner_engine, expire_on_commit=False)()

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine this process holds."""
        held: tuple[AsyncEngine, ...] = (
            self.app_engine,
            self.auditor_engine,
            self.aggregator_engine,
            self.provisioner_engine,
        )
        if self.replica_app_engine is not None:
            held = (*held, self.replica_app_engine)
        if self.aggregator_shares_engine is not None:
            held = (*held, self.aggregator_shares_engine)
        return held if self.owner is None else (*held, self.owner)

    def redis_key(self, *parts: str) -> str:
        return ":".join((self.settings.redis_prefix, *parts))

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()
        await self.redis.aclose()
        if self.http is not None:
            await self.http.aclose()
        if self.queue is not None:
            await self.queue.aclose()


async def owner_role_name(owner_engine: AsyncEngine) -> str:
    async with owner_engine.connect() as conn:
        name = await conn.scalar(text("SELECT current_user"))
    return str(name)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


async def build_runtime(
    settings: Settings, plugins: Plugins | None = None, *, owner: bool = False
) -> Runtime:
    """The process's resources. Only with ``owner`` does it connect as the owner role (migrations, seeds);
    without it the owner's name is read from the URL (policies name it), and nothing connects as it."""
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("database_url and redis_url must be resolved before the runtime is built")
    owner_engine = None
    if owner:
        # Migrations and seeds connect to PostgreSQL itself (never through a transaction pooler); the
        # pooling arguments only make them a little slower where the setting is on for the whole install.
        owner_engine = create_async_engine(
            async_url(settings.database_url),
            pool_size=2,
            max_overflow=2,
            connect_args=pooling.connect_args(settings.db_transaction_pooling),
        )
        owner_name = await owner_role_name(owner_engine)
    else:
        owner_name = async_url(settings.database_url).username or getpass.getuser()
    roles = DbRoles(
        owner=owner_name,
        app=settings.db_app_role,
        auditor=settings.db_auditor_role,
        aggregator=settings.db_aggregator_role,
        provisioner=settings.db_provisioner_role,
    )
    app_engine = app_engine_for(settings, roles)
    replica_app_engine = (
        app_engine_for(settings, roles, url=settings.database_replica_url)
        if settings.database_replica_url
        else None
    )
    auditor_engine = role_engine(
        settings, roles.auditor, settings.db_auditor_password, pool_size=2, max_overflow=0
    )
    provisioner_engine = role_engine(
        settings,
        roles.provisioner,
        settings.db_provisioner_password,
        pool_size=2,
        max_overflow=0,
        pool_pre_ping=True,  # jobs are few and far between: a ping per checkout costs nothing that matters
    )
    aggregator_engine = aggregator_engine_for(settings, roles)
    aggregator_shares_engine = aggregator_engine_for(settings, roles, pooled=False)
    if plugins is None:
        plugins = load_plugins(plugin_names_from_setting(settings.plugins))
    redis = Redis.from_url(settings.redis_url)
    http = httpx.AsyncClient(timeout=5.0)
    return Runtime(
        settings=settings,
        plugins=plugins,
        roles=roles,
        owner=owner_engine,
        app_engine=app_engine,
        replica_app_engine=replica_app_engine,
        auditor_engine=auditor_engine,
        aggregator_engine=aggregator_engine,
        aggregator_shares_engine=aggregator_shares_engine,
        provisioner_engine=provisioner_engine,
        redis=redis,
        http=http,
        queue=await open_queue(settings),
        **sso_clients(settings, http),
    )


def app_engine_for(settings: Settings, roles: DbRoles, *, url: str | None = None) -> AsyncEngine:
    """The application role's connections: to the primary, or with ``url`` to the read replica."""
    return role_engine(
        settings,
        roles.app,
        settings.db_app_password,
        url=url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        # No ping per checkout (a round trip on every request): a dropped connection is invalidated
        # on its first error instead, and connections are renewed every half hour.
        pool_recycle=1800,
    )


def aggregator_engine_for(settings: Settings, roles: DbRoles, *, pooled: bool = True) -> AsyncEngine:
    """The statistics worker's connections, as the aggregator role: pooled, or (``pooled=False``) opened
    for each checkout and closed after it, for the shares of a regional recompute.

    A worker killed mid-recompute leaves its PostgreSQL backend running the statement (and holding the
    recompute's advisory lock) until the server notices the client is gone: checking the connection every
    second bounds that, so the job's next try does not wait behind its own ghost. (Behind PgBouncer the
    client is PgBouncer, which closes the server connection of a client gone mid-transaction.)
    """
    pool: dict[str, Any] = (
        {
            "pool_size": 2,
            "max_overflow": 2,
            "pool_pre_ping": True,  # a worker is long-lived and few of its checkouts are hot: a ping is cheap
        }
        if pooled
        else {"poolclass": NullPool}
    )
    return role_engine(
        settings,
        roles.aggregator,
        settings.db_aggregator_password,
        **pool,
        server_settings={
            "application_name": "nastavnik-aggregator",
            "client_connection_check_interval": "1000",
            # Aggregations over whole tables: plan every statement for its actual dates and scope.
            "plan_cache_mode": "force_custom_plan",
        },
    )


def sso_clients(settings: Settings, http: httpx.AsyncClient) -> dict[str, Any]:
    """The token verifier and the login client of the configured realm (none without single sign-on)."""
    verifier = token_verifier(settings, http)
    return {"verifier": verifier, "oidc": OidcClient(settings, verifier) if verifier else None}


def token_verifier(settings: Settings, http: httpx.AsyncClient) -> TokenVerifier | None:
    """The access-token verifier of the configured realm, or None without single sign-on."""
    issuer = settings.keycloak_issuer
    if issuer is None:
        return None
    keys = KeySet(f"{issuer}/protocol/openid-connect/certs", http)
    return TokenVerifier(
        issuer=issuer,
        audience=settings.keycloak_audience,
        allowed_azp=settings.allowed_azp,
        keys=keys,
        leeway=settings.token_leeway,
    )
