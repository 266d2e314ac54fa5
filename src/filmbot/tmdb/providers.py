"""TMDB reference lists for discovery: certifications and watch providers per region."""

from __future__ import annotations

from pydantic import Field

from filmbot.tmdb._base import TMDBModel

__all__ = ["Certification", "CertificationList", "ProviderList", "RegionProvider"]


class Certification(TMDBModel):
    """One certification of a country's rating system (e.g. PG-13 in the US)."""

    certification: str
    meaning: str = ""
    order: int = 0


class CertificationList(TMDBModel):
    """The /certification/movie/list payload: each country's certifications."""

    certifications: dict[str, list[Certification]] = Field(default_factory=dict)

    def for_region(self, region: str) -> list[Certification]:
        """The certifications of `region` (ISO 3166-1), in their order."""
        return sorted(self.certifications.get(region.upper(), []), key=lambda c: c.order)


class RegionProvider(TMDBModel):
    """A streaming, rental or purchase service in the /watch/providers lists."""

    provider_id: int
    provider_name: str = ""
    logo_path: str | None = None
    display_priority: int = 0
    display_priorities: dict[str, int] = Field(default_factory=dict)

    def priority_in(self, region: str) -> int:
        """Where TMDB ranks the provider in `region` (lower first)."""
        return self.display_priorities.get(region.upper(), self.display_priority)


class ProviderList(TMDBModel):
    """The /watch/providers/{movie|tv} payload (optionally for one `watch_region`)."""

    results: list[RegionProvider] = Field(default_factory=list)
