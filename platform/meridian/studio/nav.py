"""The studio's menu. Each area adds its entry; a member sees the entries their role may use
(read from the endpoint's declared access, so menu and access never disagree)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g

from ..auth.access import access_of


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    order: int = 50


_ITEMS: dict[str, NavItem] = {}


def add(label: str, endpoint: str, order: int = 50) -> None:
    _ITEMS[endpoint] = NavItem(label, endpoint, order)


def visible_items() -> list[NavItem]:
    membership = g.get("membership")
    role = membership.role if membership is not None else None
    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.label)):
        access = access_of(item.endpoint)
        if access is not None and role in access.roles:
            items.append(item)
    return items
