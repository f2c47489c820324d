"""Rankings, organisations and charts, as static pages: checked against the pages' own
frontmatter (read with python-frontmatter, not the generator) and hand-made catalogues."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import frontmatter
import pytest
from conftest import SHIPPED_CONTENT, write_paper
from sitecheck import parse

from generator.build.pipeline import build
from generator.settings import load_settings

ATOM = "{http://www.w3.org/2005/Atom}"


def paper_links(page: Path) -> list[str]:
    """The slugs a list page lists, in order."""
    tags = parse(page.read_text(encoding="utf-8")).tags
    return [re.search(r"papers/([^/]+)/", a["href"]).group(1) for tag, a in tags
            if tag == "a" and "papers/" in a.get("href", "") and a.get("rel") is None]


def every_page(site: Path, url: str) -> list[str]:
    pages = [site / url / "index.html"]
    if (site / url / "page").is_dir():
        pages += sorted((site / url / "page").glob("*/index.html"), key=lambda p: int(p.parent.name))
    return [slug for page in pages for slug in paper_links(page)]


def by_upvotes(posts: dict[str, frontmatter.Post]) -> list[str]:
    """The ranking, worked out here from the frontmatter: upvotes, then newest, then title."""
    ranked = [(slug, post) for slug, post in posts.items() if post.get("upvotes")]
    return [slug for slug, post in sorted(ranked, key=lambda sp: (-sp[1]["upvotes"],
            -sp[1]["date"].toordinal() if sp[1].get("date") else 0, str(sp[1]["title"]).casefold()))]


@pytest.fixture(scope="module")
def posts() -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (SHIPPED_CONTENT / "papers").glob("*.md")}


def test_top_lists_every_upvoted_paper_most_first_and_no_other(shipped_site, posts):
    expected = by_upvotes(posts)
    assert len(expected) >= 10
    assert every_page(shipped_site, "top/") == expected


def test_each_year_and_month_with_upvoted_papers_has_its_own_ranking(shipped_site, posts):
    years = Counter(post["date"].year for post in posts.values() if post.get("upvotes") and post.get("date"))
    assert sorted(p.name for p in (shipped_site / "top").iterdir() if p.name.isdigit()) == sorted(map(str, years))
    for year in years:
        in_year = {s: p for s, p in posts.items() if p.get("date") and p["date"].year == year}
        assert every_page(shipped_site, f"top/{year}/") == by_upvotes(in_year)
        for month in {p["date"].month for p in in_year.values() if p.get("upvotes")}:
            in_month = {s: p for s, p in in_year.items() if p["date"].month == month}
            assert every_page(shipped_site, f"top/{year}/{month:02d}/") == by_upvotes(in_month)
    months_without = [(p["date"].year, p["date"].month) for p in posts.values() if p.get("date")
                      and not any(q.get("upvotes") and q.get("date") and (q["date"].year, q["date"].month)
                                  == (p["date"].year, p["date"].month) for q in posts.values())]
    assert months_without and all(not (shipped_site / f"top/{y}/{m:02d}").exists() for y, m in months_without)


def links_of(site: Path, page: str) -> set[str]:
    """Where a page's links lead, as paths under the site root."""
    tags = parse((site / page).read_text(encoding="utf-8")).tags
    folder = (site / page).parent
    return {(folder / a["href"]).resolve().relative_to(site.resolve()).as_posix()
            for tag, a in tags if tag == "a" and "href" in a and "://" not in a["href"] and not a["href"].startswith("#")}


def test_the_home_and_archive_pages_link_to_the_rankings(shipped_site):
    for page in ("index.html", "dates/index.html"):
        assert "top" in links_of(shipped_site, page)


def test_a_list_offers_its_other_order_at_its_own_address(shipped_site, posts):
    topic = "continual-learning"
    newest = (shipped_site / "topics" / topic / "index.html").read_text(encoding="utf-8")
    ranked = (shipped_site / "topics" / topic / "top" / "index.html").read_text(encoding="utf-8")
    assert f"topics/{topic}/top" in links_of(shipped_site, f"topics/{topic}/index.html")
    assert '<span aria-current="page">Newest</span>' in newest
    assert '<span aria-current="page">Most upvoted</span>' in ranked
    listed = set(every_page(shipped_site, f"topics/{topic}/"))
    assert every_page(shipped_site, f"topics/{topic}/top/") == by_upvotes({s: posts[s] for s in listed})


@pytest.fixture(scope="module")
def lab_site(tmp_path_factory) -> Path:
    """27 papers from one organisation under three spellings (two merged by case, one by the
    aliases table), 2 from another, 1 from a third whose name has no Latin letter."""
    root = tmp_path_factory.mktemp("lab")
    content = root / "content"
    spellings = ["nvidia", "NVIDIA", "Nvidia Research"]
    for n in range(27):
        write_paper(content, f"gpu-{n}", f"Kernel Study {n}", "Fast kernels.", date=f"2024-{n % 12 + 1:02d}-10",
                    organisation=spellings[n % 3], upvotes=n + 1)
    write_paper(content, "mind-1", "Planning One", "Plans.", date="2023-05-01", organisation="Google DeepMind")
    write_paper(content, "mind-2", "Planning Two", "Plans.", date="2023-06-01", organisation="google deepmind")
    write_paper(content, "tsinghua", "A Study", "Text.", date="2023-07-01", organisation="清华大学")
    (content / "organisations.toml").write_text('[aliases]\n"NVIDIA" = ["Nvidia Research"]\n', encoding="utf-8")
    build(load_settings(None, content, base_url="https://lab.example.org/papers/"), root / "site")
    return root / "site"


def test_spellings_of_one_organisation_are_one_organisation_page(lab_site):
    index = (lab_site / "organisations" / "index.html").read_text(encoding="utf-8")
    names = re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="count">(\d+) papers?</span>', index)
    assert [(name, int(n)) for _, name, n in names] == [("NVIDIA", 27), ("Google DeepMind", 2), ("清华大学", 1)]
    assert sorted(p.name for p in (lab_site / "organisations").iterdir() if p.is_dir())[:2] == \
        ["google-deepmind", "nvidia"]


def test_an_organisation_page_lists_its_papers_newest_first_paginated(lab_site):
    listed = every_page(lab_site, "organisations/nvidia/")
    assert len(listed) == 27 and (lab_site / "organisations/nvidia/page/2/index.html").is_file()
    months = [int(slug.split("-")[1]) % 12 + 1 for slug in listed]
    assert months == sorted(months, reverse=True)
    assert every_page(lab_site, "organisations/nvidia/top/")[:3] == ["gpu-26", "gpu-25", "gpu-24"]


def test_a_ranked_list_numbers_its_papers_across_its_pages(lab_site):
    ranks = [int(n) for page in ("organisations/nvidia/top/index.html", "organisations/nvidia/top/page/2/index.html")
             for n in re.findall(r'class="rank">#(\d+)<', (lab_site / page).read_text(encoding="utf-8"))]
    assert ranks == list(range(1, 28))  # 25 a page, then 26 and 27


def test_an_organisation_has_its_own_atom_feed(lab_site):
    feed = ET.parse(lab_site / "organisations" / "google-deepmind" / "feed.xml").getroot()
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["Planning Two", "Planning One"]


def test_the_organisation_on_a_paper_page_links_to_its_page(lab_site):
    page = (lab_site / "papers" / "gpu-1" / "index.html").read_text(encoding="utf-8")
    assert '<a class="organisation" href="../../organisations/nvidia/">NVIDIA</a>' in page


def test_a_spelling_merged_in_the_aliases_is_shown_by_the_name_chosen_there_everywhere(lab_site):
    """"Nvidia Research" (merged into "NVIDIA") was shown as written on its paper page, in lists,
    in BibTeX and in the page head, under an organisation page headed "NVIDIA"."""
    page = (lab_site / "papers" / "gpu-2" / "index.html").read_text(encoding="utf-8")
    assert '<a class="organisation" href="../../organisations/nvidia/">NVIDIA</a>' in page
    assert '<meta name="citation_author" content="NVIDIA">' in page and "Nvidia Research" not in page
    assert "author = {{NVIDIA}}" in (lab_site / "papers" / "gpu-2" / "cite.bib").read_text(encoding="utf-8")
    listing = (lab_site / "organisations" / "nvidia" / "index.html").read_text(encoding="utf-8")
    assert "Nvidia Research" not in listing
    own = (lab_site / "papers" / "mind-2" / "index.html").read_text(encoding="utf-8")  # merged by case alone: as written
    assert '<a class="organisation" href="../../organisations/google-deepmind/">google deepmind</a>' in own


def chart_rows(page: Path) -> list[tuple[str, int]]:
    text = page.read_text(encoding="utf-8")
    return [(label, int(n)) for label, n in
            re.findall(r'<tr><th scope="row">(?:<a [^>]+>)?([^<]+)(?:</a>)?</th><td>(\d+)</td></tr>', text)]


def test_the_archive_chart_counts_the_papers_of_each_month(shipped_site, posts):
    page = (shipped_site / "dates" / "index.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    rows = dict(chart_rows(shipped_site / "dates" / "index.html"))
    years = Counter(p["date"].year for p in posts.values() if p.get("date"))
    # the shipped catalogue spans more than six years, so the chart counts per year (gaps included)
    assert rows == {str(y): years.get(y, 0) for y in range(min(years), max(years) + 1)}


def test_a_topic_page_shows_its_own_papers_per_month(shipped_site, posts):
    topic_page = shipped_site / "topics" / "repetition" / "index.html"
    listed = every_page(shipped_site, "topics/repetition/")
    rows = chart_rows(topic_page)
    assert sum(n for _, n in rows) == sum(1 for s in listed if posts[s].get("date"))
    assert rows[0][1] > 0 and rows[-1][1] > 0  # from its first month to its last


def test_the_chart_labels_every_bar_when_they_fit_side_by_side(shipped_site, tmp_path):
    """Eight years: each labelled. Twelve months: "Mar 2024" is twice as wide (80 units at 16px, 10
    a character at most), and a label beside the first, which starts at its bar, needs its width and
    half the first's apart, less the bar's margins (114 units; a bar is 40): every third is labelled."""
    def ticks(page: Path) -> list[str]:
        return re.findall(r'<text class="tick"[^>]*text-anchor="[a-z]+">([^<]+)</text>', page.read_text(encoding="utf-8"))

    assert ticks(shipped_site / "dates" / "index.html") == [str(y) for y in range(2018, 2026)]
    content = tmp_path / "content"
    for month in range(1, 13):
        write_paper(content, f"p{month}", f"Paper {month}", date=f"2024-{month:02d}-10")
    build(load_settings(None, content), tmp_path / "site")
    months = ticks(tmp_path / "site" / "dates" / "index.html")
    assert months == ["Jan 2024", "Apr 2024", "Jul 2024", "Oct 2024"]


@pytest.mark.parametrize("dates,bars", [(["2024-03-01"], 1), (["2024-01-05", "2024-12-20"], 12),
                                        (["2004-01-05", "2024-12-20"], 21)])
def test_one_month_or_twenty_years_give_a_sensible_chart(tmp_path, dates, bars):
    content = tmp_path / "content"
    for n, day in enumerate(dates):
        write_paper(content, f"p{n}", f"Paper {n}", date=day)
    build(load_settings(None, content), tmp_path / "site")
    rows = chart_rows(tmp_path / "site" / "dates" / "index.html")
    assert len(rows) == bars and sum(n for _, n in rows) == len(dates)
    first = dt.date.fromisoformat(dates[0])
    assert rows[0][0] in (str(first.year), first.strftime("%b %Y"))


def test_organisations_whose_names_differ_in_letters_an_address_cannot_hold_are_not_merged(tmp_path):
    """`Alibaba 通义实验室` and `Alibaba 达摩院` were one "alibaba" page; of two spellings as common,
    the name shown keeps its accents; `ø` is a Latin letter, written `o` in an address."""
    content = tmp_path / "content"
    for n, org in enumerate(["Alibaba 通义实验室", "Alibaba 达摩院", "Alibaba 达摩院", "Lab α", "Lab β", "Lab",
                             "ETH Zurich", "ETH Zürich", "Kobenhavns Universitet", "Københavns Universitet"]):
        write_paper(content, f"p{n}", f"Paper {n}", date=f"2024-01-{n + 1:02d}", organisation=org)
    build(load_settings(None, content), tmp_path / "site")
    index = (tmp_path / "site" / "organisations" / "index.html").read_text(encoding="utf-8")
    names = re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="count">(\d+) papers?</span>', index)
    assert sorted((name, int(n)) for _, name, n in names) == [
        ("Alibaba 达摩院", 2), ("Alibaba 通义实验室", 1), ("ETH Zürich", 2), ("Københavns Universitet", 2), ("Lab", 1),
        ("Lab α", 1), ("Lab β", 1)]
    assert len({href for href, _, _ in names}) == 7
    assert 'href="../organisations/kobenhavns-universitet/"' in index  # ø is a Latin letter: no hash


@pytest.mark.parametrize("table,line,problem", [
    ('[aliases]\n"NVIDIA" = ["Nvidia Research"]\n"Google" = "google deepmind"\n', 3,
     "aliases of 'Google' must be a list of spellings"),
    ('[aliases]\n"NVIDIA" = ["Nvidia Research"]\n\n"Nvidia Labs" = ["nvidia research"]\n', 4,
     "'nvidia research' is an alias of both 'NVIDIA' and 'Nvidia Labs'"),
])
def test_a_mistake_in_the_organisation_aliases_names_its_line(tmp_path, table, line, problem):
    from conftest import run_cli

    content = tmp_path / "content"
    write_paper(content, "p", "A Paper", organisation="NVIDIA")
    (content / "organisations.toml").write_text(table, encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert [ln for ln in result.stderr.splitlines() if ln.startswith("error:")] == \
        [f"error: {content / 'organisations.toml'}:{line}: {problem}"]
