"""What a plugin declares about itself, checked at start-up: the core versions it fits, its settings.

NetBox-style: ``PluginInfo`` names a range of core versions (compared as PEP 440 versions, with
``packaging``), the settings a deployment must give it (``required_settings``, read from
``NASTAVNIK_PLUGIN_<NAME>_<SETTING>``) and the schema of its per-organisation settings
(``org_settings``, a ``msgspec.Struct``). :mod:`nastavnik.plugins` runs these checks while it loads
the plugins; a plugin that does not fit refuses to start with a :class:`PluginError` saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import version

import msgspec
import msgspec.inspect
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from nastavnik.types import PluginInfo


class PluginError(RuntimeError):
    """A plugin cannot be loaded: its declaration is wrong or does not fit this core."""


def core_version() -> str:
    return version("nastavnik")


def _version(owner: str, field: str, text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise PluginError(f"plugin {owner!r}: {field} {text!r} is not a version (PEP 440)") from None


def core_range(info: PluginInfo) -> SpecifierSet:
    """The core versions a plugin accepts: ``>= min_core_version`` and, if given, ``< max_core_version``.

    PEP 440 (``packaging``), pre-releases counted: ``0.1.0rc1 < 0.1.0 < 0.1.0.post1``; a local version
    (``0.1.0+region``) is the release it is built from; ``< 0.2.0`` also refuses ``0.2.0rc1`` and
    ``0.2.0.dev0`` (a pre-release of the bound already is that version).
    """
    _version(info.name, "min_core_version", info.min_core_version)
    specifiers = [f">={info.min_core_version}"]
    if info.max_core_version is not None:
        _version(info.name, "max_core_version", info.max_core_version)
        specifiers.append(f"<{info.max_core_version}")
    try:
        return SpecifierSet(",".join(specifiers))
    except InvalidSpecifier:  # pragma: no cover - both bounds parsed as versions above
        raise PluginError(f"plugin {info.name!r}: a core version bound is not a version") from None


def check_core_version(info: PluginInfo, current: str) -> None:
    """Refuse a plugin whose core version range does not hold ``current`` (pre-releases included)."""
    _version(info.name, "version", info.version)
    if not core_range(info).contains(Version(current), prereleases=True):
        upper = f", < {info.max_core_version}" if info.max_core_version else ""
        raise PluginError(
            f"plugin {info.name!r} {info.version} needs nastavnik >= {info.min_core_version}{upper};"
            f" this is {current}"
        )


def setting_variable(plugin: str, setting: str) -> str:
    """The environment variable of a plugin's process-wide setting: ``NASTAVNIK_PLUGIN_<NAME>_<SETTING>``."""
    return "_".join(("NASTAVNIK_PLUGIN", _env_word(plugin), _env_word(setting)))


def _env_word(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", text.upper())


class NoSettings(msgspec.Struct, forbid_unknown_fields=True):
    """The per-organisation settings of a plugin that declares none."""


@dataclass(frozen=True, slots=True)
class SettingField:
    """One per-organisation setting of a plugin, as its ``org_settings`` declares it."""

    name: str
    title: str
    kind: str
    """``bool``, ``int``, ``float`` or ``str``."""
    default: object
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    min_length: int | None = None
    max_length: int | None = None

    def expected(self) -> str:
        """What the field takes, in Russian: «целое число от 1 до 62»."""
        words = {"bool": "да или нет", "int": "целое число", "float": "число", "str": "текст"}[self.kind]
        bounds = []
        if self.ge is not None and self.le is not None:
            bounds.append(f"от {_number(self.ge)} до {_number(self.le)}")
        else:
            bounds += [f"не меньше {_number(self.ge)}"] if self.ge is not None else []
            bounds += [f"не больше {_number(self.le)}"] if self.le is not None else []
        bounds += [f"больше {_number(self.gt)}"] if self.gt is not None else []
        bounds += [f"меньше {_number(self.lt)}"] if self.lt is not None else []
        bounds += [f"не короче {self.min_length} знаков"] if self.min_length else []
        bounds += [f"не длиннее {self.max_length} знаков"] if self.max_length is not None else []
        return " ".join([words, ", ".join(bounds)]).strip()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


_KINDS: dict[type[msgspec.inspect.Type], str] = {
    msgspec.inspect.BoolType: "bool",
    msgspec.inspect.IntType: "int",
    msgspec.inspect.FloatType: "float",
    msgspec.inspect.StrType: "str",
}


def setting_fields(plugin: str, schema: type[msgspec.Struct]) -> list[SettingField]:
    """The fields of a plugin's ``org_settings``; a schema the core cannot offer a curator: PluginError."""
    info = msgspec.inspect.type_info(schema)
    if not isinstance(info, msgspec.inspect.StructType):  # pragma: no cover - a Struct always is one
        raise PluginError(f"plugin {plugin!r}: org_settings must be a msgspec.Struct")
    fields = []
    for f in info.fields:
        kind_type, title = f.type, f.name
        if isinstance(kind_type, msgspec.inspect.Metadata):
            title = str((kind_type.extra_json_schema or {}).get("title", f.name))
            kind_type = kind_type.type
        kind = _KINDS.get(type(kind_type))
        if kind is None:
            raise PluginError(
                f"plugin {plugin!r}: the setting {f.name!r} of org_settings must be a bool, int, float or str"
            )
        if f.required:
            raise PluginError(f"plugin {plugin!r}: the setting {f.name!r} of org_settings needs a default")
        bounds = {
            name: getattr(kind_type, name)
            for name in ("ge", "le", "gt", "lt", "min_length", "max_length")
            if getattr(kind_type, name, None) is not None
        }
        default = f.default_factory() if f.default is msgspec.NODEFAULT else f.default
        fields.append(SettingField(f.encode_name, title, kind, default, **bounds))
    return fields
