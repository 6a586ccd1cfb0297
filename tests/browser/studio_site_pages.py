"""The studio pages of the media library and clinic settings that every audit visits
signed in as the clinic's owner. `{media}`, `{location}`, `{service}` and `{practitioner}` are ids of the
clinic's own rows; `setup` names a state to show (e.g. a refused save)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StudioPage:
    name: str
    path: str
    endpoint: str
    #: "post-contrast": submit settings with a colour that fails contrast (the error state);
    #: "post-no-name": save a practitioner with the name emptied.
    setup: str = ""


STUDIO_SITE_PAGES = [
    StudioPage("media", "/studio/media", "studio.media"),
    StudioPage("media-delete", "/studio/media/{media}/delete", "studio.media_delete_confirm"),
    StudioPage("settings", "/studio/settings", "studio.settings"),
    StudioPage("settings-refused", "/studio/settings", "studio.settings", "post-contrast"),
    StudioPage("locations", "/studio/locations", "studio.locations"),
    StudioPage("location", "/studio/locations/{location}", "studio.location_edit"),
    StudioPage("services", "/studio/services", "studio.services"),
    StudioPage("service", "/studio/services/{service}", "studio.service_edit"),
    StudioPage("practitioners", "/studio/practitioners", "studio.practitioners"),
    StudioPage("practitioner", "/studio/practitioners/{practitioner}", "studio.practitioner_edit"),
    StudioPage(
        "practitioner-refused",
        "/studio/practitioners/{practitioner}",
        "studio.practitioner_edit",
        "post-no-name",
    ),
]
