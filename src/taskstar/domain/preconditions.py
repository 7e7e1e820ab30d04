"""Conditional requests on a versioned resource, as RFC 9110 section 13 defines them.

A task's entity tag is its version in quotes (``ETag: "3"``), a strong validator: the version
changes with every change of the representation. ``If-Match`` (13.1.1) uses the strong
comparison, so a weak tag (``W/"3"``) never matches it; ``If-None-Match`` (13.1.2) uses the
weak comparison. Both take ``*`` or a comma-separated list of entity tags (8.8.3, 5.6.1).
``If-Match`` is evaluated first (13.2.2). A field value that is not such a list names no
current tag: ``If-Match`` with it fails, ``If-None-Match`` with it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from taskstar.domain.errors import StaleVersion

# entity-tag = [ weak ] opaque-tag; weak = %s"W/"; opaque-tag = DQUOTE *etagc DQUOTE;
# etagc = %x21 / %x23-7E / obs-text. A list may carry empty elements and optional white space.
_ENTITY_TAG = r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"'
_ENTITY_TAG_LIST = re.compile(rf"^[ \t,]*{_ENTITY_TAG}(?:[ \t]*,[ \t,]*{_ENTITY_TAG})*[ \t,]*$")
_ONE_TAG = re.compile(_ENTITY_TAG)

#: A field value as a client sends ``If-Match`` / ``If-None-Match`` (RFC 9110 13.1.1, 13.1.2):
#: ``*`` or a comma-separated list of entity tags, in visible ASCII, with no empty elements
#: (5.6.1) or surrounding white space (5.5); the parser above is lenient where RFC 9110 says a
#: recipient must be. A value of any other form names no tag (see ``EntityTags.parse``).
_SENT_TAG = r'(W/)?"[\x21\x23-\x7e]*"'
FIELD_VALUE_PATTERN = rf"^(\*|{_SENT_TAG}([ \t]*,[ \t]*{_SENT_TAG})*)$"


@dataclass(frozen=True)
class EntityTags:
    """A parsed ``If-Match`` or ``If-None-Match`` field: ``*``, or (weak, opaque-tag) pairs."""

    any: bool = False
    tags: tuple[tuple[bool, str], ...] = ()

    @classmethod
    def parse(cls, field_value: str) -> EntityTags:
        """``"*"`` -> any; a valid list -> its tags; anything else -> no tags at all."""
        value = field_value.strip(" \t")
        if value == "*":
            return cls(any=True)
        if not _ENTITY_TAG_LIST.match(value):
            return cls()
        return cls(tags=tuple((weak == "W/", opaque) for weak, opaque in _ONE_TAG.findall(value)))

    def strong_match(self, opaque: str) -> bool:
        """Whether a strong tag ``"<opaque>"`` is listed (RFC 9110 8.8.3.2, strong comparison)."""
        return self.any or any(not weak and tag == opaque for weak, tag in self.tags)

    def weak_match(self, opaque: str) -> bool:
        """Whether ``"<opaque>"`` is listed, weak or strong (weak comparison)."""
        return self.any or any(tag == opaque for _, tag in self.tags)

    def __str__(self) -> str:
        if self.any:
            return "*"
        return ", ".join(f'{"W/" if weak else ""}"{tag}"' for weak, tag in self.tags) or "no entity tag"


@dataclass(frozen=True)
class Preconditions:
    """The conditional header fields of one request (``None``: the field was not sent)."""

    if_match: EntityTags | None = None
    if_none_match: EntityTags | None = None

    @classmethod
    def from_fields(cls, if_match: str | None = None, if_none_match: str | None = None) -> Preconditions:
        return cls(
            if_match=EntityTags.parse(if_match) if if_match is not None else None,
            if_none_match=EntityTags.parse(if_none_match) if if_none_match is not None else None,
        )

    @property
    def sent(self) -> bool:
        """Whether the request carried either field at all."""
        return self.if_match is not None or self.if_none_match is not None

    def check_write(self, version: int) -> None:
        """Before changing a resource now at ``version``: raises ``StaleVersion`` (412) unless both
        conditions hold (13.2.2 steps 1 and 3; a state-changing method gets 412 from either)."""
        current = str(version)
        if self.if_match is not None and not self.if_match.strong_match(current):
            raise StaleVersion(f"The task is at version {version}, not {self.if_match}; reload it and retry")
        if self.if_none_match is not None and self.if_none_match.weak_match(current):
            raise StaleVersion(f"The task is at version {version}, which If-None-Match {self.if_none_match} names")

    def not_modified(self, version: int) -> bool:
        """For a read (GET) of a resource at ``version``: ``True`` when the answer is 304 Not
        Modified (If-None-Match lists it); raises ``StaleVersion`` when If-Match fails."""
        current = str(version)
        if self.if_match is not None and not self.if_match.strong_match(current):
            raise StaleVersion(f"The task is at version {version}, not {self.if_match}")
        return self.if_none_match is not None and self.if_none_match.weak_match(current)


#: A request without conditional header fields.
NO_PRECONDITIONS = Preconditions()
