"""What the write path says when it refuses a change."""

from __future__ import annotations


class ContentInvalid(ValueError):
    """One or more fields were refused; `errors` maps each field to a sentence for a person.

    The studio shows each message next to its field (keeping what was typed); a bundle
    load names the file and the field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
