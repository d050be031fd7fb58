"""Which shapes of the methodical work an organisation has, in whose words, and its menu items.

A shape exists in an organisation only where a plugin offers it for the organisation's type and that
plugin is active there (``Plugins.offered_associations``); everywhere else its routes answer 404 and
the menu shows nothing. Titles come from the offering plugin's :class:`~nastavnik.types.AssociationKind`.
"""

from __future__ import annotations

from nastavnik.models.people import PersonCategory
from nastavnik.plugins import OfferedAssociation
from nastavnik.tenancy import MANAGERS, NotFound, OrgContext
from nastavnik.types import AssociationKind, NavigationContext, NavItem

READERS = frozenset({PersonCategory.PEDAGOGUE.value, PersonCategory.STAFF.value})
"""The person categories that read the methodical work's pages (its plans are organisational documents)."""
MANAGER_ROLES = frozenset(role.value for role in MANAGERS)


def offered(ctx: OrgContext) -> dict[str, OfferedAssociation]:
    """The organisation's shapes by their code (an ``AssociationShape`` value), in menu order."""
    return ctx.plugins.offered_associations(ctx.org.type, ctx.active_plugins)


def kind_of(ctx: OrgContext, shape: str) -> AssociationKind:
    """The organisation's wording of ``shape``; NotFound where it has no such shape (or it is unknown)."""
    offer = offered(ctx).get(shape)
    if offer is None:
        raise NotFound
    return offer.kind


def navigation(context: NavigationContext) -> list[NavItem]:
    """A menu item per shape the organisation has, for its pedagogues, staff and managers (never learners)."""
    if context.category not in READERS and not context.roles & MANAGER_ROLES:
        return []
    return [
        NavItem(
            title=kind.plural,
            href=f"/o/{context.org_slug}/methodical/{kind.shape.value}",
            order=kind.nav_order,
        )
        for kind in context.associations
    ]
