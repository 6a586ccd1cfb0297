"""Share links: plain links to each network's own share page (no third-party script runs
on our pages), for the networks the clinic lists, plus e-mail; copy-link is engage.js."""

from __future__ import annotations

from urllib.parse import quote

from ..models import Tenant

#: network key (as in tenant.toml [social]) -> (label, share URL pattern). Networks with
#: no share page (Instagram) are left out.
NETWORKS = {
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={u}"),
    "twitter": ("X (Twitter)", "https://twitter.com/intent/tweet?url={u}&text={t}"),
    "x": ("X (Twitter)", "https://twitter.com/intent/tweet?url={u}&text={t}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={u}"),
    "pinterest": (
        "Pinterest",
        "https://www.pinterest.com/pin/create/button/?url={u}&description={t}",
    ),
}
ICONS = {"x": "twitter"}


def share_targets(tenant: Tenant, title: str, url: str) -> list[dict[str, str]]:
    """[{key, icon, label, href}] for the clinic's networks, in its order, then e-mail."""
    u, t = quote(url, safe=""), quote(title, safe="")
    targets = []
    seen = set()
    for key in tenant.social or {}:
        if key in NETWORKS and NETWORKS[key][0] not in seen:
            label, pattern = NETWORKS[key]
            seen.add(label)
            targets.append(
                {
                    "key": key,
                    "icon": ICONS.get(key, key),
                    "label": label,
                    "href": pattern.format(u=u, t=t),
                }
            )
    targets.append(
        {
            "key": "email",
            "icon": "email",
            "label": "E-mail",
            "href": f"mailto:?subject={t}&body={u}",
        }
    )
    return targets
