"""Which pages the site has: one Route per output file, read from the catalogue.

URLs are Hugo's "pretty" ones (`papers/<slug>/`, `topics/<slug>/`,
`dates/<year>/<month>/`): a reader can guess them and they do not change while
the slug stays. Nothing is rendered here; `build` renders the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from generator.settings import Settings
from generator.site.charts import papers_per_month
from generator.site.render import MONTH_NAMES

if TYPE_CHECKING:  # only for annotations: a no-op build never loads the catalogue's modules
    from generator.catalogue.groups import Catalogue
    from generator.catalogue.paper import Paper


@dataclass
class Route:
    path: str            # output file, relative to the site root, e.g. "papers/x/index.html"
    template: str
    context: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The address a reader uses: folders for pretty URLs, files otherwise."""
        return self.path[: -len("index.html")] if self.path.endswith("index.html") else self.path

    @property
    def is_html(self) -> bool:
        return self.path.endswith(".html")


@dataclass
class Pager:
    number: int
    count: int
    papers: list[Paper]
    total: int
    first_url: str
    prev_url: str | None
    next_url: str | None
    # the papers on this page are dated, so those before are newer; those on the next page are
    # dated, so older (undated papers come last, by title: next to them Previous and More)
    newer: bool = True
    older: bool = True


def plan_site(catalogue: Catalogue, settings: Settings, only: Iterable[Paper] | None = None,
              wanted: set[str] | None = None) -> list[Route]:
    """Every page of the site. With `only`, the paper pages of those papers and not of the others,
    and no sitemap (an edit build that moves no paper plans no more: see incremental); with
    `wanted` (paths), lists none of whose pages is wanted may be left out (their charts and
    rankings are not worked out)."""
    def want(*urls: str) -> bool:
        return wanted is None or any(path.startswith(url) for path in wanted for url in urls)

    routes: list[Route] = [Route("index.html", "home.html", {
        "recent": catalogue.papers[: settings.home_recent],
        "topics": catalogue.topics,
        "years": {year: len(papers) for year, papers in catalogue.years.items()},
        "undated": len(catalogue.undated),
        "total": len(catalogue.papers),
        "ranked": any(p.upvotes for p in catalogue.papers),
        "organisations": catalogue.organisations,
    })]
    for paper in catalogue.papers if only is None else only:
        routes.append(Route(paper.page, "paper.html", {
            "paper": paper, "related": catalogue.related(paper), "title": paper.title,
        }))
        routes.append(Route(f"{paper.url}cite.bib", "cite.bib", {"papers": [paper]}))
    lists = [Route("topics/index.html", "topics.html", {"topics": catalogue.topics, "title": "Topics"})]
    feeds = settings.absolute_base is not None  # an Atom feed needs absolute addresses, and so does a sitemap
    for entry in (e for e in catalogue.topics if want(e.url)):
        chart = catalogue.kept(("chart", entry.url), lambda: papers_per_month(entry.papers, f" in {entry.topic.name}"))
        lists += _in_both_orders(catalogue, entry.url, f"{entry.url}top/", entry.papers, settings,
                                 title=entry.topic.name, top_title=f"{entry.topic.name}: most upvoted",
                                 description=entry.topic.description, feed=f"{entry.url}feed.xml" if feeds else None,
                                 bib=f"{entry.url}papers.bib", kind="topic", chart=chart)
    lists += _date_pages(catalogue, settings, want)
    lists += _top_pages(catalogue, settings) if want("top/index.html", "top/page/") else []
    lists += _organisation_pages(catalogue, settings, feeds, want)
    lists.append(Route("search/index.html", "search.html", {"title": "Search", "topics": catalogue.topics}))
    lists.append(Route("404.html", "404.html", {"title": "Page not found"}))
    routes += [*lists, *(_feeds(catalogue, settings) if feeds else [])]
    # BibTeX of every paper, and of each topic's
    routes.append(Route("catalogue.bib", "cite.bib", {"papers": catalogue.papers}))
    routes += [Route(f"{e.url}papers.bib", "cite.bib", {"papers": e.papers}) for e in catalogue.topics]
    if only is None and feeds:  # it lists every page and shows no paper: an edit that moves none leaves it as it is
        urls = [routes[0].url, *(paper.url for paper in catalogue.papers),
                *(r.url for r in lists if r.is_html and r.path != "404.html")]
        routes += _sitemaps(urls)
    routes.append(Route("robots.txt", "robots.txt", {}))
    return routes


SITEMAP_URLS = 50_000  # the most one sitemap may list (sitemaps.org); more go into parts under an index


def _sitemaps(urls: list[str]) -> list[Route]:
    """`sitemap.xml`: the sitemap, or past SITEMAP_URLS addresses an index of `sitemap-<n>.xml` parts."""
    most = SITEMAP_URLS
    if len(urls) <= most:
        return [Route("sitemap.xml", "sitemap.xml", {"urls": urls, "parts": None})]
    parts = [urls[at:at + most] for at in range(0, len(urls), most)]
    names = [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    return [Route("sitemap.xml", "sitemap.xml", {"urls": [], "parts": names}),
            *(Route(name, "sitemap.xml", {"urls": part, "parts": None}) for name, part in zip(names, parts))]


def _date_pages(catalogue: Catalogue, settings: Settings, want) -> list[Route]:
    months_of: dict[int, list[tuple[int, int]]] = {}
    for year, month in catalogue.months:
        months_of.setdefault(year, []).append((month, len(catalogue.months[(year, month)])))
    routes = [Route("dates/index.html", "archive.html", {
        "title": "Archive", "years": catalogue.years, "months_of": months_of, "undated": catalogue.undated,
        "chart": catalogue.kept(("chart", "dates/"), lambda: papers_per_month(catalogue.papers)),
        "ranked": any(p.upvotes for p in catalogue.papers),
    })] if want("dates/index.html") else []
    for year, papers in ((y, ps) for y, ps in catalogue.years.items() if want(f"dates/{y}/", f"top/{y}/")):
        routes += _in_both_orders(catalogue, f"dates/{year}/", f"top/{year}/", papers, settings, title=str(year),
                                  top_title=f"Most upvoted in {year}", kind="year", months=months_of[year], year=year)
    for (year, month), papers in catalogue.months.items():
        if not want(f"dates/{year}/{month:02d}/", f"top/{year}/{month:02d}/"):
            continue
        name = MONTH_NAMES[month - 1]  # the same names as the templates, whatever the locale
        routes += _in_both_orders(catalogue, f"dates/{year}/{month:02d}/", f"top/{year}/{month:02d}/", papers, settings,
                                  title=f"{name} {year}", top_title=f"Most upvoted in {name} {year}", kind="month",
                                  year=year)
    if catalogue.undated:
        routes += _list_pages("dates/undated/", catalogue.undated, settings, title="No known date", kind="undated",
                              description="Papers no capture dated. They are listed here so that none is lost.")
    return routes


def _top_pages(catalogue: Catalogue, settings: Settings) -> list[Route]:
    """Every paper with upvotes, most first (`top/`); each year's and month's are `_date_pages`'."""
    from generator.catalogue.groups import most_upvoted  # here: see TYPE_CHECKING above

    ranked = catalogue.kept(("ranked", "top/"), lambda: most_upvoted(catalogue.papers))
    if not ranked:
        return []
    years = [(year, n) for year, n in ((y, sum(1 for p in ps if p.upvotes)) for y, ps in catalogue.years.items()) if n]
    return _list_pages("top/", ranked, settings, title="Most upvoted", kind="top", ranked=True,
                       description="Papers by upvotes on the pages they were captured from, most first.",
                       top_years=years)


def _organisation_pages(catalogue: Catalogue, settings: Settings, feeds: bool, want) -> list[Route]:
    """`organisations/` with counts, and each organisation's papers, newest first and most upvoted."""
    if not catalogue.organisations:
        return []
    routes = [Route("organisations/index.html", "organisations.html",
                    {"title": "Organisations", "organisations": catalogue.organisations})]
    for org in (o for o in catalogue.organisations if want(o.url)):
        routes += _in_both_orders(catalogue, org.url, f"{org.url}top/", org.papers, settings, title=org.name,
                                  top_title=f"{org.name}: most upvoted", kind="organisation",
                                  feed=f"{org.url}feed.xml" if feeds else None)
    return routes


def _in_both_orders(catalogue: Catalogue, url: str, top_url: str, papers: list[Paper], settings: Settings,
                    title: str, top_title: str, **context) -> list[Route]:
    """A list newest first at `url` (with `context`) and, if it holds upvoted papers, most upvoted
    first at `top_url` (a topic, a year, a month, an organisation): each page links the other order."""
    from generator.catalogue.groups import most_upvoted  # here: see TYPE_CHECKING above

    ranked = catalogue.kept(("ranked", url), lambda: most_upvoted(papers))
    orders = [("Newest", url), ("Most upvoted", top_url)] if ranked else []
    routes = _list_pages(url, papers, settings, title=title, orders=orders, **context)
    if ranked:
        routes += _list_pages(top_url, ranked, settings, title=top_title, kind="top", orders=orders, ranked=True)
    return routes


def _list_pages(url: str, papers: list[Paper], settings: Settings, **context) -> list[Route]:
    """A list of papers, split into pages of `per_page` at `<url>`, `<url>page/2/`, ..."""
    size = settings.per_page
    count = max(1, -(-len(papers) // size))
    page_url = lambda n: url if n == 1 else f"{url}page/{n}/"  # noqa: E731
    routes = []
    pages = [papers[(number - 1) * size: number * size] for number in range(1, count + 2)]
    dated = [any(paper.month is not None for paper in page) for page in pages]
    for number in range(1, count + 1):
        pager = Pager(number, count, pages[number - 1], len(papers), url,
                      page_url(number - 1) if number > 1 else None,
                      page_url(number + 1) if number < count else None, dated[number - 1], dated[number])
        routes.append(Route(f"{page_url(number)}index.html", "list.html", {
            "pager": pager, "description": "", "feed": None, "bib": None, "orders": [], "chart": None,
            "ranked": False, "here": url, **context}))
    return routes


def _feeds(catalogue: Catalogue, settings: Settings) -> list[Route]:
    """One Atom feed for the catalogue, one per topic and one per organisation: one template, a
    table of variants."""
    variants = [("feed.xml", settings.title, "", catalogue.papers)]
    variants += [(f"{e.url}feed.xml", f"{e.topic.name} · {settings.title}", e.url, e.papers) for e in catalogue.topics]
    variants += [(f"{o.url}feed.xml", f"{o.name} · {settings.title}", o.url, o.papers) for o in catalogue.organisations]
    routes = []
    for path, title, page, papers in variants:
        newest = papers[: settings.feed_entries]
        updated = max((p.filed_day for p in newest if p.filed_day), default=None)
        routes.append(Route(path, "feed.xml", {"title": title, "page": page, "papers": newest, "updated": updated}))
    return routes
