"""Start-up validation of plugins (NetBox-style): bad declarations are refused with a clear reason."""

from __future__ import annotations

import types
from collections.abc import Iterable

import pytest

from nastavnik import OrganisationType, PluginInfo, Regime, hookimpl
from nastavnik.plugins import PluginError, load_plugins


def make_plugin(name: str, info: PluginInfo | None, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(f"fake_{name}")
    if info is not None:
        module.PLUGIN = info  # type: ignore[attr-defined]
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, fn)
    return module


def org_type(code: str) -> object:
    @hookimpl
    def register_organisation_types() -> Iterable[OrganisationType]:
        return [OrganisationType(code, "Тест", (Regime.PEDAGOGUES,))]

    return register_organisation_types


def info(name: str = "extra", **kw: object) -> PluginInfo:
    values: dict[str, object] = {
        "name": name,
        "verbose_name": "Тест",
        "version": "1.0",
        "min_core_version": "0.1.0",
        "organisation_types": ("additional",),
    }
    values.update(kw)
    return PluginInfo(**values)  # type: ignore[arg-type]


def test_a_valid_extra_plugin_loads() -> None:
    plugins = load_plugins(
        extra_modules=[make_plugin("extra", info(), register_organisation_types=org_type("additional"))]
    )
    assert "additional" in plugins.organisation_types()
    assert plugins.active_for("additional") == ["core", "extra"]


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (make_plugin("nodecl", None), "must define PLUGIN"),
        (
            make_plugin(
                "old", info(min_core_version="9.0"), register_organisation_types=org_type("additional")
            ),
            "needs nastavnik >= 9.0",
        ),
        (
            make_plugin(
                "new", info(max_core_version="0.1.0"), register_organisation_types=org_type("additional")
            ),
            "needs nastavnik",
        ),
        (make_plugin("typeless", info(organisation_types=())), "declares no organisation types"),
        (make_plugin("ghost", info(organisation_types=("nowhere",))), "unknown organisation types"),
        (
            make_plugin(
                "clash",
                info(name="clash", organisation_types=("school",)),
                register_organisation_types=org_type("school"),
            ),
            "is declared by",
        ),
        (
            make_plugin("dup", info(name="schools"), register_organisation_types=org_type("additional")),
            "two plugins are named",
        ),
    ],
)
def test_bad_plugins_are_refused(module: types.ModuleType, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        load_plugins(extra_modules=[module])


def test_an_unknown_hook_is_refused() -> None:
    @hookimpl
    def register_everything() -> list[object]:
        return []

    module = make_plugin(
        "typo",
        info(),
        register_organisation_types=org_type("additional"),
        register_everything=register_everything,
    )
    with pytest.raises(Exception, match="unknown hook"):
        load_plugins(extra_modules=[module])


def test_naming_a_plugin_that_is_not_installed_fails() -> None:
    with pytest.raises(PluginError, match="not installed"):
        load_plugins(["schools", "nonexistent"])


def test_loading_only_named_plugins() -> None:
    plugins = load_plugins(["schools"])
    assert set(plugins.loaded) == {"core", "schools"}
