"""The garbage collector of a serving process, set once it has started.

Everything built at start-up (modules, the app, its routes, the statements built once, the plugins)
lives as long as the process. Left to itself, every full collection walks all of it again; frozen
(``gc.freeze``), those objects move to a generation the collector never visits. A request also
allocates thousands of short-lived objects, and at the default threshold of 700 the youngest
generation is collected several times per request; a higher threshold collects it once in many
requests, for a few more megabytes between collections. DESIGN.md ("Performance facts") measured the
two, together with keeping verified tokens, at 418 -> 491 requests per second on the people list.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
"""Allocations (less deallocations) between two collections of the youngest generation (default 700)."""


def settle_after_start_up() -> None:
    """Collect what start-up left behind, freeze what remains, and raise the youngest generation's
    threshold. Call once, after the app is built and before it serves (``nastavnik serve``)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
