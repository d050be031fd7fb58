"""Plugin modules made inside a test, as an installed plugin's module would look to the loader."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

from nastavnik import PluginInfo


def plugin_module(
    name: str,
    *,
    serves: tuple[str, ...],
    hooks: Mapping[str, Callable[..., Any]],
    verbose_name: str = "Тест",
) -> types.ModuleType:
    """A module with ``PLUGIN`` (``name``, version 1.0, any core from 0.1.0, serving the organisation
    types ``serves``) and the hook implementations ``hooks`` by hook name (each marked ``hookimpl``)."""
    module = types.ModuleType(f"test_plugin_{name}")
    module.PLUGIN = PluginInfo(  # type: ignore[attr-defined]
        name=name,
        verbose_name=verbose_name,
        version="1.0",
        min_core_version="0.1.0",
        organisation_types=serves,
    )
    for hook, implementation in hooks.items():
        setattr(module, hook, implementation)
    return module
