"""`catalogue build`: the shipped catalogue rendered into a static site, checked page by page."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import frontmatter
import pytest

from conftest import PROJECT, SHIPPED_CONTENT, run_cli, write_paper
from generator import freshness
from generator.build import build
from generator.settings import load_settings
from sitecheck import crawl, fetch, parse

ATOM = "{http://www.w3.org/2005/Atom}"


def shipped_pages() -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in (SHIPPED_CONTENT / "papers").glob("*.md")}


def list_items(page: Path) -> list[str]:
    """Paper links of a list page, in order."""
    tags = parse(page.read_text(encoding="utf-8")).tags
    return [a["href"] for tag, a in tags if tag == "a" and "href" in a and "papers/" in a["href"]
            and a.get("rel") is None]


def pages_of(site: Path, url: str) -> list[Path]:
    """A paginated list: <url>index.html, <url>page/2/index.html, ..."""
    first = site / url / "index.html"
    more = sorted((site / url / "page").glob("*/index.html"), key=lambda p: int(p.parent.name)) \
        if (site / url / "page").is_dir() else []
    return [first, *more]


def paper_links_on(site: Path, url: str) -> list[str]:
    links = []
    for page in pages_of(site, url):
        links += [h for h in list_items(page) if re.search(r"papers/[a-z0-9-]+/$", h)]
    return [re.search(r"papers/([a-z0-9-]+)/$", h).group(1) for h in links]


# --- pages -------------------------------------------------------------------------------------

def test_every_paper_has_its_own_page_with_its_title_and_abstract(shipped_site):
    pages = shipped_pages()
    assert len(pages) == 139
    for slug, post in pages.items():
        page = shipped_site / "papers" / slug / "index.html"
        parsed = parse(page.read_text(encoding="utf-8"))
        text = " ".join("".join(parsed.text).split())
        assert " ".join(post.metadata["title"].split()) in text
        assert " ".join(post.content.split())[:60].replace("\\", "") in text.replace("\\", "")


def test_a_paper_page_shows_date_authors_upvotes_topics_and_sources(shipped_site):
    page = (shipped_site / "papers" / "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context"
            / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2025-07-19">19 Jul 2025</time>' in page
    assert "18 authors" in page and "2 upvotes" in page
    assert 'href="../../topics/efficient-reasoning/"' in page
    assert "Listed in 1 capture: 000_ad819c97d76d7fd7.txt" in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_an_organisation_shows_on_its_papers_page(shipped_site):
    page = (shipped_site / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via"
            / "index.html").read_text(encoding="utf-8")
    assert "<span>NVIDIA</span>" in page


def test_home_lists_newest_papers_topics_with_counts_and_years(shipped_site):
    home = (shipped_site / "index.html").read_text(encoding="utf-8")
    assert "139 papers across 17 topics" in home
    newest = list_items(shipped_site / "index.html")
    assert newest[0] == "./papers/dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via/"
    for year in ("2025", "2024", "2018"):
        assert f'href="./dates/{year}/"' in home


def test_every_paper_page_links_onward(shipped_site):
    """No dead ends: each paper links to a neighbour in time and, if it has one, to its topic."""
    for page in (shipped_site / "papers").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        assert 'rel="prev"' in html or 'rel="next"' in html
        assert "More in " in html


# --- topics ------------------------------------------------------------------------------------

def test_at_least_95_percent_of_shipped_papers_get_a_real_topic(shipped_site):
    other = paper_links_on(shipped_site, "topics/other/")
    assert len(other) / 139 <= 0.05
    assert "Other" in (shipped_site / "topics" / "index.html").read_text(encoding="utf-8")


def test_topic_pages_list_every_paper_of_the_topic_once_newest_first(shipped_site):
    topics_page = (shipped_site / "topics" / "index.html").read_text(encoding="utf-8")
    claimed = Counter()
    for slug, count in re.findall(r'href="\.\./topics/([a-z0-9-]+)/">[^<]+</a> <span class="count">(\d+) paper', topics_page):
        listed = paper_links_on(shipped_site, f"topics/{slug}/")
        assert len(listed) == len(set(listed)) == int(count), slug
        claimed.update(listed)
        dates = [frontmatter.load(SHIPPED_CONTENT / "papers" / f"{s}.md").metadata.get("date") for s in listed]
        known = [d for d in dates if d]
        assert known == sorted(known, reverse=True), slug
    assert set(claimed) == set(shipped_pages())


def test_long_topic_lists_are_paginated(shipped_site):
    pages = pages_of(shipped_site, "topics/continual-learning/")
    assert len(pages) == 2  # 31 papers, 25 a page
    first = pages[0].read_text(encoding="utf-8")
    assert 'href="../../topics/continual-learning/page/2/"' in first
    assert "page 1 of 2" in first


def test_a_persons_topics_win_over_the_taxonomy(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "mine", "Repetition Everywhere", "All about repetition and loops.", topics="[Reading group]")
    out = tmp_path / "site"
    build(load_settings(None, content), out)
    assert (out / "topics" / "reading-group" / "index.html").is_file()
    assert not (out / "topics" / "repetition").exists()


def test_a_content_folder_can_bring_its_own_taxonomy(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "a", "Graph Networks", "We study graphs.")
    (content / "topics.toml").write_text(
        '[[topic]]\nslug = "graphs"\nname = "Graphs"\ndescription = "Nodes and edges."\nterms = ["graph"]\n',
        encoding="utf-8")
    out = tmp_path / "site"
    build(load_settings(None, content), out)
    assert "Nodes and edges." in (out / "topics" / "index.html").read_text(encoding="utf-8")
    assert list_items(out / "topics" / "graphs" / "index.html") == ["../../papers/a/"]


# --- dates -------------------------------------------------------------------------------------

def test_date_pages_add_up_and_undated_papers_are_listed(shipped_site):
    pages = shipped_pages()
    years = Counter(p.metadata["date"].year for p in pages.values() if p.metadata.get("date"))
    undated = [s for s, p in pages.items() if not p.metadata.get("date")]
    for year, count in years.items():
        assert len(paper_links_on(shipped_site, f"dates/{year}/")) == count
        months = Counter(p.metadata["date"].month for p in pages.values()
                         if p.metadata.get("date") and p.metadata["date"].year == year)
        for month, in_month in months.items():
            assert len(paper_links_on(shipped_site, f"dates/{year}/{month:02d}/")) == in_month
    assert sorted(paper_links_on(shipped_site, "dates/undated/")) == sorted(undated)
    assert sum(years.values()) + len(undated) == 139
    archive = (shipped_site / "dates" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../dates/{y}/"' in archive for y in years) and 'href="../dates/undated/"' in archive


# --- links -------------------------------------------------------------------------------------

def test_every_internal_link_resolves_at_the_root(shipped_site, static_server):
    seen, broken = crawl(static_server(shipped_site, "/"))
    assert broken == []
    assert len([u for u in seen if "/papers/" in u]) >= 139


def test_every_internal_link_resolves_under_a_sub_path(subpath_site, static_server):
    start = static_server(subpath_site, "/lab/papers/")
    seen, broken = crawl(start)
    assert broken == []
    assert len(seen) > 200


def test_the_404_page_works_at_any_depth_under_the_base_path(subpath_site):
    page = (subpath_site / "404.html").read_text(encoding="utf-8")
    hrefs = [a["href"] for tag, a in parse(page).tags if tag in ("a", "link") and "href" in a]
    internal = [h for h in hrefs if not h.startswith(("http", "data:", "#"))]
    assert internal and all(h.startswith("/lab/papers/") for h in internal)


def test_feeds_are_valid_atom_with_absolute_links(subpath_site):
    feed = ET.parse(subpath_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert feed.tag == f"{ATOM}feed" and len(entries) == 50
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith("https://example.org/lab/papers/papers/")
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
    topic_feed = ET.parse(subpath_site / "topics" / "bandits" / "feed.xml").getroot()
    assert len(topic_feed.findall(f"{ATOM}entry")) == len(paper_links_on(subpath_site, "topics/bandits/"))


def test_sitemap_lists_every_html_page_and_robots_points_to_it(subpath_site):
    sitemap = ET.parse(subpath_site / "sitemap.xml").getroot()
    locs = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    html_pages = [p for p in subpath_site.rglob("index.html")]
    assert len(locs) == len(html_pages)
    assert "https://example.org/lab/papers/papers/miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context/" in locs
    assert "Sitemap: https://example.org/lab/papers/sitemap.xml" in (subpath_site / "robots.txt").read_text()


# --- safety ------------------------------------------------------------------------------------

HOSTILE = '<script>alert("t")</script><img src=x onerror=alert(1)>'


def test_markup_from_a_capture_stays_text_in_every_page(tmp_path):
    content = tmp_path / "content"
    capture = tmp_path / "evil.txt"
    capture.write_text(f"""{HOSTILE} repetition

An abstract with <script>alert("a")</script>, [click](javascript:alert(1)) and <a href="javascript:x">x</a>.

  • 3 authors
·
Jan 5, 2024 2

Second Paper

Organisation paper about repetition.

evil <img src=x onerror=alert(2)>
·
Jan 6, 2024
""", encoding="utf-8")
    assert run_cli("ingest", "--content", str(content), str(capture)).returncode == 0
    out = tmp_path / "site"
    result = build(load_settings(None, content), out)
    assert result.papers == 2
    for path in out.rglob("*.html"):
        parsed = parse(path.read_text(encoding="utf-8"))
        for tag, attrs in parsed.tags:
            assert tag != "img", path
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            assert not str(attrs.get("href", "")).lower().startswith("javascript"), path
            if tag == "script":
                assert attrs.get("src", "").endswith(("site.js", "lunr.min.js", "search.js")), path
    paper = next((out / "papers").glob("script*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in paper
    # and the search data is JSON text, never markup
    docs = [d for chunk in (out / "search" / "docs").glob("*.json") for d in json.loads(chunk.read_text("utf-8"))]
    assert any(HOSTILE in d[0] for d in docs)


def test_raw_html_a_person_writes_in_a_body_is_shown_as_text_by_default(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper", 'Notes <iframe src="x"></iframe> and [bad](javascript:alert(1)).')
    out = tmp_path / "site"
    build(load_settings(None, content), out)
    page = (out / "papers" / "p" / "index.html").read_text(encoding="utf-8")
    assert "<iframe" not in page and "&lt;iframe" in page
    assert 'href="#"' in page and "javascript:" not in page


# --- settings and templates ---------------------------------------------------------------------

def test_site_settings_come_from_one_toml_file(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper", date="2024-01-02")
    (tmp_path / "catalogue.toml").write_text('title = "Reading Group Papers"\nper_page = 1\n', encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "<title>Reading Group Papers</title>" in (out / "index.html").read_text(encoding="utf-8")


def test_an_unknown_setting_is_named(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    (tmp_path / "catalogue.toml").write_text('titel = "typo"\n', encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: ") and "catalogue.toml: unknown setting(s): titel" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_template_of_the_same_name_in_a_persons_folder_overrides_the_shipped_one(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    mine = tmp_path / "my-templates"
    mine.mkdir()
    (mine / "paper.html").write_text('{% extends "base.html" %}{% block main %}<p class="mine">{{ paper.title }}</p>{% endblock %}',
                                     encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content), "--out", str(out), "--templates", str(mine))
    assert result.returncode == 0, result.stderr
    assert '<p class="mine">A Paper</p>' in (out / "papers" / "p" / "index.html").read_text(encoding="utf-8")
    assert "Newest papers" in (out / "index.html").read_text(encoding="utf-8")


def test_a_template_error_names_the_template_and_line(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    mine = tmp_path / "t"
    mine.mkdir()
    (mine / "paper.html").write_text("line one\n{{ paper.title | nosuchfilter }}\n", encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"), "--templates", str(mine))
    assert result.returncode == 1
    assert re.search(r"paper\.html:2: template error: .*nosuchfilter", result.stderr)


# --- atomic build and errors ----------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_broken_frontmatter_fails_the_build_with_one_line_and_keeps_the_previous_site(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "good", "A Good Paper")
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    before = snapshot(out)
    broken = content / "papers" / "broken.md"
    broken.write_text("---\ntitle: A Paper\ndate: [2024\n---\nBody\n", encoding="utf-8")

    result = run_cli("build", "--content", str(content), "--out", str(out))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: {broken}:3: broken frontmatter: did not find expected ',' or ']'"]
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".site-cache"]


@pytest.mark.parametrize("meta,problem", [
    ({}, "frontmatter has no title"),
    ({"title": "'T'", "date": "not-a-date"}, "bad date"),
    ({"title": "'T'", "upvotes": "many"}, "upvotes should be a whole number"),
    ({"title": "'T'", "slug": "'../escape'"}, "may hold only a-z"),
])
def test_invalid_frontmatter_values_are_named(tmp_path, meta, problem):
    content = tmp_path / "content"
    path = content / "papers" / "p.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()) + "---\nBody\n", encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and problem in result.stderr and "p.md" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_whole_build_killed_midway_leaves_the_previous_site_whole(tmp_path):
    content = tmp_path / "content"
    for i in range(1500):
        write_paper(content, f"paper-{i}", f"Paper number {i} on repetition", "Repetition " * 50,
                    date=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}")
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out), timeout=300).returncode == 0
    before = snapshot(out)
    (content / "papers" / "paper-0.md").write_text("---\ntitle: Changed\n---\nNew\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out),
                             "--force"], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".site.building-*/papers")):
        time.sleep(0.01)
    assert list(tmp_path.glob(".site.building-*/papers")), "the build never started writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot(out) == before
    # the next build clears what the killed one left and swaps in a complete site
    assert run_cli("build", "--content", str(content), "--out", str(out), timeout=300).returncode == 0
    assert "Changed" in (out / "papers" / "paper-0" / "index.html").read_text(encoding="utf-8")
    deadline = time.monotonic() + 30  # the previous site is removed by a background process
    while [p for p in tmp_path.glob(".site.*")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".site-cache"]


def test_build_refuses_to_replace_the_project_or_a_folder_it_did_not_build(tmp_path):
    result = run_cli("build", "--out", ".")
    assert result.returncode == 1 and "would replace the project's own files" in result.stderr
    stranger = tmp_path / "photos"
    stranger.mkdir()
    (stranger / "holiday.jpg").write_bytes(b"jpg")
    write_paper(tmp_path / "content", "p", "A Paper")
    result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(stranger))
    assert result.returncode == 1 and "is not a site built by catalogue" in result.stderr
    assert (stranger / "holiday.jpg").read_bytes() == b"jpg"


def test_build_ends_with_a_one_line_summary(tmp_path):
    result = run_cli("build", "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"built \d+ pages \(139 papers, 17 topics\) into \S+ in [\d.]+s; search: .* B/paper\n",
                        result.stdout)


def test_build_output_never_holds_the_live_reload_script(shipped_site):
    assert not [p for p in shipped_site.rglob("*.html") if "livereload" in p.read_text(encoding="utf-8")]


def test_an_empty_content_folder_builds_an_empty_catalogue(tmp_path):
    (tmp_path / "content").mkdir()
    out = tmp_path / "site"
    result = build(load_settings(None, tmp_path / "content"), out)
    assert result.papers == 0 and (out / "index.html").is_file() and (out / "search" / "manifest.json").is_file()


def test_served_pages_have_the_right_content_types(shipped_site, static_server):
    base = static_server(shipped_site, "/")
    assert "text/html" in fetch(base)[2]
    assert "json" in fetch(base + "search/manifest.json")[2]
    assert "javascript" in fetch(base + "static/search.js")[2]


# --- rebuilds ----------------------------------------------------------------------------------

def test_a_rebuild_with_nothing_changed_says_so_and_touches_nothing(tmp_path):
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run_cli("build", "--out", str(out))
    assert again.returncode == 0
    assert again.stdout.startswith(f"nothing changed since the last build: {out} is current (208 pages, 139 papers")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.mark.parametrize("change", ["edit a page", "edit a template", "edit the settings", "clear a section",
                                    "another base url", "force"])
def test_any_change_after_a_build_makes_the_next_one_rebuild(tmp_path, change):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper", date="2024-01-02")
    templates = tmp_path / "t"
    templates.mkdir()
    config = tmp_path / "catalogue.toml"
    config.write_text('title = "One"\n', encoding="utf-8")
    out = tmp_path / "site"
    args = ["build", "--content", str(content), "--out", str(out), "--templates", str(templates)]
    assert run_cli(*args).returncode == 0
    if change == "edit a page":
        write_paper(content, "p", "A Paper, edited", date="2024-01-02")
    elif change == "edit a template":
        (templates / "404.html").write_text("gone", encoding="utf-8")
    elif change == "edit the settings":
        config.write_text('title = "Two"\n', encoding="utf-8")
    elif change == "clear a section":
        shutil.rmtree(out / "papers")
    elif change == "force":
        args.append("--force")
    else:
        args += ["--base-url", "https://example.org/x/"]
    result = run_cli(*args)
    assert result.returncode == 0 and result.stdout.startswith("built "), result.stdout
    assert (out / "papers" / "p" / "index.html").is_file()


def test_the_parallel_build_writes_exactly_what_a_single_process_writes(tmp_path, monkeypatch):
    from generator import parallel

    content = tmp_path / "content"
    for i in range(900):
        write_paper(content, f"paper-{i}", f"Paper {i} about continual learning and repetition",
                    f"Abstract {i}: reward models, retrieval and forgetting. " * 5, date=f"20{15 + i % 10}-0{1 + i % 9}-1{i % 9}")
    build(load_settings(None, content), tmp_path / "parallel")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10**9)
    build(load_settings(None, content), tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_topic_terms_match_only_at_the_start_of_a_word(tmp_path):
    from generator.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(tmp_path)  # the shipped taxonomy
    assert "code-generation" in taxonomy.classify("Better code generation", "")
    assert "code-generation" not in taxonomy.classify("A decoder that decodes", "We decode and encode.")
    assert "retrieval-rag" in taxonomy.classify("x", "RAG helps. So does (RAG).")
    assert "retrieval-rag" not in taxonomy.classify("x", "Storage and leverage, average and coverage.")
    assert "compression-sparsity" in taxonomy.classify("N:M sparsity for transformers", "")


def test_a_long_lived_process_reusing_unchanged_papers_writes_what_a_fresh_build_writes(tmp_path):
    from generator.build_state import BuildState

    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), tmp_path / "kept", state=state)
    newest = content / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via.md"
    newest.write_text(newest.read_text(encoding="utf-8").replace("date: 2025-10-16", "date: 2018-01-01"),
                      encoding="utf-8")  # moves it from first to near last: neighbours change everywhere
    (content / "topics.toml").write_text(
        '[[topic]]\nslug = "loops"\nname = "Loops"\nterms = ["loop"]\n', encoding="utf-8")
    build(load_settings(None, content), tmp_path / "kept", state=state)
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(tmp_path / "kept") == snapshot(tmp_path / "fresh")
    assert (tmp_path / "fresh" / "topics" / "loops" / "index.html").is_file()


def test_every_page_parses_as_html5_without_errors_with_one_h1_and_unique_ids(shipped_site):
    import html5lib

    with pytest.raises(html5lib.html5parser.ParseError):  # the check can fail: a stray end tag is an error
        html5lib.HTMLParser(strict=True).parse("<!doctype html><title>x</title><p>a</div>")
    pages = sorted(shipped_site.rglob("*.html"))
    assert len(pages) == 208
    for page in pages:
        text = page.read_text(encoding="utf-8")
        html5lib.HTMLParser(strict=True).parse(text)
        tags = parse(text).tags
        assert text.startswith("<!doctype html>") and '<html lang="en">' in text, page
        assert sum(1 for tag, _ in tags if tag == "h1") == 1, page
        ids = [a["id"] for _, a in tags if "id" in a]
        assert len(ids) == len(set(ids)), page


@pytest.mark.parametrize("base_url", ["papers", "ftp://host/x/", "https://", "lab.example.org/papers/"])
def test_a_base_url_that_is_neither_an_address_nor_a_path_is_refused(tmp_path, base_url):
    write_paper(tmp_path / "content", "p", "A Paper")
    result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"),
                     "--base-url", base_url)
    assert result.returncode == 1 and "should be an address such as" in result.stderr
    assert not (tmp_path / "site").exists()


def test_the_next_build_command_reuses_unchanged_papers_and_writes_what_a_fresh_build_writes(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    from generator.freshness import private_cache_dir

    from generator.build_state import BuildState

    kept_state = BuildState.load(private_cache_dir(kept) / "state.pickle", freshness.code_signature())
    assert len(kept_state.plan.keys) > 208  # every page and feed; saved after the command returned, load waits
    assert not list((tmp_path / ".kept-cache").glob("*.pickle")), "no pickle beside the site"
    page = content / "papers" / "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context.md"
    page.write_text(page.read_text(encoding="utf-8").replace("date: 2025-07-19", "date: 2019-01-01")
                    + "\nA note on the retrieval of loops.\n", encoding="utf-8")
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    assert run_cli("build", "--content", str(content), "--out", str(fresh)).returncode == 0
    assert snapshot(kept) == snapshot(fresh)
    assert "A note on the retrieval of loops." in (kept / "papers" / page.stem / "index.html").read_text(encoding="utf-8")


def test_a_cache_that_cannot_be_read_is_ignored(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    from generator.freshness import private_cache_dir

    private_cache_dir(tmp_path / "site").mkdir(parents=True)
    (private_cache_dir(tmp_path / "site") / "state.pickle").write_bytes(b"not a pickle")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "papers" / "p" / "index.html").is_file()


# --- builds that write only what changed --------------------------------------------------------

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _papers(content: Path) -> list[Path]:
    return sorted((content / "papers").glob("*.md"))


EDITS = {
    "abstract: new words, words gone": lambda c: _edit(_papers(c)[40], "\n\n", "\n\nZyxwvut quasiparticles abound. "),
    "title": lambda c: _edit(_papers(c)[3], "Token Pruning in", "Token Trimming in"),
    "the newest paper's words (lunr numbers its terms first)":
        lambda c: _edit(c / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via.md",
                        "\n\n", "\n\nQwertyuiop frobnication. "),
    "upvotes only": lambda c: _edit(c / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via.md",
                                    "upvotes: 3", "upvotes: 300"),
    "topics chosen by hand": lambda c: _edit(_papers(c)[7], "title: ", "topics: [Bandits and online learning]\ntitle: "),
    "date (the paper moves)": lambda c: _edit(c / "papers" / "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context.md",
                                              "date: 2025-07-19", "date: 2019-03-01"),
    "a paper removed": lambda c: _papers(c)[11].unlink(),
    "a paper added": lambda c: write_paper(c, "a-new-paper", "A New Paper on Loops", "Loops and more loops, newly.",
                                           date="2025-11-01"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_build_after_an_edit_writes_only_what_changed_and_equals_a_fresh_build(tmp_path, edit):
    content, kept, fresh = tmp_path / "content", tmp_path / "kept", tmp_path / "fresh"
    shutil.copytree(SHIPPED_CONTENT, content)
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    before = {p: p.stat().st_ino for p in kept.rglob("*.html")}
    EDITS[edit](content)
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    assert run_cli("build", "--content", str(content), "--out", str(fresh)).returncode == 0
    assert snapshot(kept) == snapshot(fresh)
    kept_files = [p for p in before if p.exists() and p.stat().st_ino == before[p]]
    assert len(kept_files) > len(before) * 0.6, "most pages are left alone, not written again"


@pytest.mark.parametrize("blocks", ["long entries only", "every entry in blocks of 4"])
def test_edits_one_after_another_in_one_process_give_what_a_fresh_build_gives(tmp_path, monkeypatch, blocks):
    from generator import search_shards
    from generator.build_state import BuildState

    if blocks != "long entries only":  # the shipped catalogue has no entry long enough to be kept in blocks
        monkeypatch.setattr(search_shards, "LONG", 0)
        monkeypatch.setattr(search_shards, "BLOCK", 4)
    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    for n, edit in enumerate(EDITS.values()):
        edit(content)
        build(load_settings(None, content), kept, state=state)
        fresh = tmp_path / f"fresh-{n}"
        build(load_settings(None, content), fresh)
        assert snapshot(kept) == snapshot(fresh), list(EDITS)[n]


PLANNED_WHOLE = {"abstract: new words, words gone": False, "upvotes only": False, "title": True,
                 "date (the paper moves)": True, "topics chosen by hand": True, "a paper added": True}


@pytest.mark.parametrize("edit", list(PLANNED_WHOLE))
def test_only_an_edit_that_moves_a_paper_plans_the_whole_site_again(tmp_path, monkeypatch, edit):
    """Retitled, redated, retopiced, added: lists and neighbours change. Otherwise the last plan
    holds, and only the pages that showed the edited paper are rendered again."""
    from generator import catalogue as catalogue_module
    from generator.build_state import BuildState

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    before = {p: p.stat().st_ino for p in kept.rglob("*.html")}
    planned = []
    real = catalogue_module.index_catalogue
    monkeypatch.setattr(catalogue_module, "index_catalogue", lambda *a: planned.append(1) or real(*a))
    EDITS[edit](content)
    build(load_settings(None, content), kept, state=state)
    assert bool(planned) == PLANNED_WHOLE[edit]
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")
    rewritten = [p for p in before if p.exists() and p.stat().st_ino != before[p]]
    assert 0 < len(rewritten) < (len(before) if PLANNED_WHOLE[edit] else 40)


def test_a_page_failing_to_render_in_an_edit_build_leaves_the_site_as_it_was(tmp_path, monkeypatch):
    from generator import build as build_module
    from generator.build_state import BuildState
    from generator.errors import CatalogueError

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), out, state=state)
    before = snapshot(out)
    EDITS["abstract: new words, words gone"](content)
    real = build_module.render

    def failing(env, template, context):
        if template == "list.html":
            raise CatalogueError("cannot render", Path("list.html"), 1)
        return real(env, template, context)

    monkeypatch.setattr(build_module, "render", failing)
    with pytest.raises(CatalogueError):
        build(load_settings(None, content), out, state=state)
    assert snapshot(out) == before
    monkeypatch.setattr(build_module, "render", real)
    build(load_settings(None, content), out, state=state)
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(out) == snapshot(tmp_path / "fresh")


def test_an_edit_build_stopped_while_writing_leaves_whole_files_and_the_next_build_completes_it(tmp_path, monkeypatch):
    from generator import build as build_module

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    build(load_settings(None, content), out)
    EDITS["abstract: new words, words gone"](content)
    EDITS["title"](content)
    real, written = os.replace, []

    def dying(src, dst):  # the process dies after a few files are in place
        if len(written) == 5:
            raise KeyboardInterrupt
        written.append(dst)
        real(src, dst)

    monkeypatch.setattr(build_module.os, "replace", dying)
    with pytest.raises(KeyboardInterrupt):
        build(load_settings(None, content), out)
    monkeypatch.setattr(build_module.os, "replace", real)
    assert len(written) == 5 and not [p for p in tmp_path.iterdir() if ".building-" in p.name]
    assert not [p for p in out.rglob("*") if p.is_file() and (p.name.endswith(".tmp") or p.name.isdigit())]
    build(load_settings(None, content), out)
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(out) == snapshot(tmp_path / "fresh")
