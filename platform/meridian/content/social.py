"""Social links, checked per network: an https link to a profile on that network.

Each network lists the hosts its profile links live on and what a profile path looks
like, so a typo (`facebok.com`), a post link pasted instead of the profile, or a link
to somewhere else entirely is refused with a sentence that shows the expected form.
An `@handle` is accepted where the network has handles and turned into the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_NAME = r"[A-Za-z0-9_.\-]{1,100}"


@dataclass(frozen=True)
class Network:
    key: str
    label: str
    hosts: re.Pattern[str]
    path: re.Pattern[str]
    example: str
    handle_url: str = ""  # e.g. "https://www.instagram.com/{}/" when @handles are used


NETWORKS = [
    Network(
        "facebook",
        "Facebook",
        re.compile(r"^(www\.|m\.)?(facebook\.com|fb\.com)$"),
        re.compile(rf"^/({_NAME}|profile\.php|people/[^/]+/\d+)/?$"),
        "https://www.facebook.com/yourclinic",
    ),
    Network(
        "instagram",
        "Instagram",
        re.compile(r"^(www\.)?instagram\.com$"),
        re.compile(rf"^/{_NAME}/?$"),
        "https://www.instagram.com/yourclinic/",
        "https://www.instagram.com/{}/",
    ),
    Network(
        "twitter",
        "X (Twitter)",
        re.compile(r"^(www\.|mobile\.)?(twitter\.com|x\.com)$"),
        re.compile(r"^/[A-Za-z0-9_]{1,15}/?$"),
        "https://x.com/yourclinic",
        "https://x.com/{}",
    ),
    Network(
        "linkedin",
        "LinkedIn",
        re.compile(r"^([a-z]{2,3}\.|www\.)?linkedin\.com$"),
        re.compile(rf"^/(company|in|school|showcase)/{_NAME}/?$"),
        "https://www.linkedin.com/company/yourclinic",
    ),
    Network(
        "pinterest",
        "Pinterest",
        re.compile(r"^([a-z]{2}\.|www\.)?pinterest\.(com|co\.uk|nz|co\.nz|com\.au|ca|ie|de|fr)$"),
        re.compile(rf"^/{_NAME}/?$"),
        "https://www.pinterest.com/yourclinic/",
        "https://www.pinterest.com/{}/",
    ),
    Network(
        "youtube",
        "YouTube",
        re.compile(r"^(www\.|m\.)?youtube\.com$"),
        re.compile(rf"^/(@{_NAME}|channel/[A-Za-z0-9_\-]{{10,40}}|c/{_NAME}|user/{_NAME})/?$"),
        "https://www.youtube.com/@yourclinic",
        "https://www.youtube.com/@{}",
    ),
    Network(
        "tiktok",
        "TikTok",
        re.compile(r"^(www\.)?tiktok\.com$"),
        re.compile(rf"^/@{_NAME}/?$"),
        "https://www.tiktok.com/@yourclinic",
        "https://www.tiktok.com/@{}",
    ),
]
BY_KEY = {network.key: network for network in NETWORKS}
_HANDLE = re.compile(r"^@([A-Za-z0-9_.]{1,30})$")


def clean_link(network: Network, raw: str) -> str:
    """The link to store (empty: none), or ValueError with what was expected."""
    value = (raw or "").strip()
    if not value:
        return ""
    handle = _HANDLE.match(value)
    if handle and network.handle_url:
        return network.handle_url.format(handle.group(1))
    if value.startswith("http://"):
        value = "https://" + value.removeprefix("http://")
    elif not value.startswith("https://") and "://" not in value:
        value = "https://" + value
    expected = f"Use the link to your {network.label} page, like {network.example}"
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        odd = parts.scheme != "https" or parts.username or parts.password or parts.port
    except ValueError as exc:
        raise ValueError(f"{expected}.") from exc
    if odd:
        raise ValueError(f"{expected}.")
    if not network.hosts.match(host):
        raise ValueError(f"That link is not on {network.label}. {expected}.")
    if not network.path.match(parts.path) or parts.fragment:
        raise ValueError(f"That does not look like a profile on {network.label}. {expected}.")
    query = f"?{parts.query}" if parts.query and parts.path == "/profile.php" else ""
    return f"https://{host}{parts.path}{query}"


def check_social(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(links to store, errors by form field `social_<network>`). Unknown networks refused."""
    links: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        network = BY_KEY.get(key)
        if network is None:
            errors[f"social_{key}"] = f"Unknown network {key!r}."
            continue
        try:
            link = clean_link(network, value)
        except ValueError as exc:
            errors[f"social_{key}"] = str(exc)
            continue
        if link:
            links[key] = link
    return links, errors
