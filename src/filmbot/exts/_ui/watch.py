"""Where a title can be watched in one region, as TMDB (with JustWatch's data) reports it."""

from __future__ import annotations

import discord

from filmbot.domain.limits import clip
from filmbot.domain.titles import JUSTWATCH_ATTRIBUTION, tmdb_url
from filmbot.exts._ui.embeds import add_field, fit_embed, new_embed
from filmbot.tmdb.models import CountryWatchProviders, TitleDetails, WatchProvider

OFFERS = (
    ("flatrate", "Stream"),
    ("free", "Free"),
    ("ads", "Free with ads"),
    ("rent", "Rent"),
    ("buy", "Buy"),
)


def _names(providers: list[WatchProvider], limit: int = 8) -> str:
    ordered = sorted(providers, key=lambda p: p.display_priority)
    names = list(dict.fromkeys(p.provider_name for p in ordered if p.provider_name))
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def country_offers(details: TitleDetails, region: str) -> CountryWatchProviders | None:
    """The title's offers in `region`, if TMDB has any there."""
    return details.watch_providers.for_region(region) if details.watch_providers else None


def offers_of(country: CountryWatchProviders | None) -> list[tuple[str, str]]:
    """(label, provider names) for each kind of offer the region has."""
    if country is None:
        return []
    found = [(label, _names(getattr(country, kind))) for kind, label in OFFERS]
    return [(label, names) for label, names in found if names]


def watch_summary(details: TitleDetails, region: str) -> str:
    """`Stream: Max · Buy: Amazon Video`, or `Not available in DE`, with the attribution."""
    country = country_offers(details, region)
    offers = offers_of(country)
    if not offers:
        return f"Not available in {region.upper()}"
    line = " · ".join(f"{label}: {names}" for label, names in offers)
    return f"{line}\n*{JUSTWATCH_ATTRIBUTION}*"


def where_embed(
    details: TitleDetails, region: str, poster: str | None, logo: str | None
) -> discord.Embed:
    """Every offer for a title in one region, TMDB's watch page and JustWatch's credit."""
    region = region.upper()
    country = country_offers(details, region)
    offers = offers_of(country)
    year = f" ({details.year})" if details.year else ""
    title = f"Where to watch {details.display_title}{year} in {region}"
    link = country.link if country and country.link else f"{tmdb_url(details.ref)}/watch"
    description = f"[All offers on TMDB]({link})" if offers else f"Not available in {region}."
    embed = new_embed(title, description=description, url=link)
    for label, names in offers:
        add_field(embed, label, names, inline=False)
    embed.set_footer(text=clip(f"{JUSTWATCH_ATTRIBUTION} · {embed.footer.text}", 2048))
    if logo:
        embed.set_thumbnail(url=logo)
    elif poster:
        embed.set_thumbnail(url=poster)
    return fit_embed(embed)


def first_logo(details: TitleDetails, region: str) -> str | None:
    """The logo path of the region's first streaming (else any) provider."""
    country = country_offers(details, region)
    if country is None:
        return None
    for kind, _ in OFFERS:
        providers: list[WatchProvider] = getattr(country, kind)
        for provider in sorted(providers, key=lambda p: p.display_priority):
            if provider.logo_path:
                return provider.logo_path
    return None
