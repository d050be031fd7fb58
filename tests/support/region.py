"""A fresh region for one test: its own municipality and regional staff member (the kit's ``new_region``).

Tests that change a region's settings (its dictionaries) take a region of their own, so the shared
world's regions R1 and R2 keep the plugins' wording for every other test.
"""

from __future__ import annotations

from nastavnik.testing import FreshRegion, new_region

__all__ = ["FreshRegion", "new_region"]
