"""What a capture says is shown as exactly that text: never read as Markdown, HTML or an entity, on the
page, in the feed and in the search index. Each case here is a mutation the suite once let through."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import frontmatter
import html5lib
import markdown
import pytest
from conftest import PROJECT, write_capture

from generator.build.pipeline import build
from generator.ingest.merge import ingest
from generator.settings import load_settings

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ABSTRACTS = {
    "Heading": "#1 ranked on the benchmark, and ## is not a heading either.",
    "List dash": "- a dash that opens a line is not a list item.",
    "List plus": "+ so is a plus sign.",
    "Ordered": "1. first is not an ordered list, nor is 2) second.",
    "Quote": "> a quotation mark of email is not a block quote.",
    "Rule": "=== is not a heading underline, and *** is not a rule.",
    "Entities": "The token &lt;eos&gt; is written escaped, AT&T and &amp; stay as typed, <eos> too.",
    "Emphasis": "x_t and y_t, *stars*, `ticks` and [brackets](not-a-link) stay literal.",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("text")
    entries = "".join(f"{title} <b>&amp; \"x\"\n\n{abstract}\n\n  • 3 authors\n·\nJun 6, 2022 3\n\n"
                      for title, abstract in ABSTRACTS.items())
    capture = write_capture(root / "odd.txt", entries)
    assert ingest([capture], root / "content").new == len(ABSTRACTS)
    build(load_settings(None, root / "content", base_url="https://example.org/"), root / "site")
    return root / "site"


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _paper_pages(site):
    for page in (site / "papers").glob("*/index.html"):
        tree = html5lib.parse(page.read_text(encoding="utf-8"), namespaceHTMLElements=True)
        yield tree


@pytest.mark.parametrize("title", list(ABSTRACTS))
def test_an_abstract_is_shown_as_exactly_the_captured_text(site, title):
    for tree in _paper_pages(site):
        heading = tree.find(f".//{XHTML}h1")
        if _text(heading) == f'{title} <b>&amp; "x"':
            section = tree.find(f".//{XHTML}section[@class='abstract']")
            blocks = [child.tag.replace(XHTML, "") for child in section][1:]
            assert blocks == ["p"], blocks  # one paragraph: no heading, list, quote or rule
            assert _text(section).removeprefix("Abstract ") == ABSTRACTS[title]
            return
    raise AssertionError(f"no page for {title!r}")


def test_feed_entries_hold_titles_and_abstracts_as_typed(site):
    feed = ET.parse(site / "feed.xml").getroot()
    titles = {entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")}
    assert titles == {f'{title} <b>&amp; "x"' for title in ABSTRACTS}
    summaries = " ".join(entry.findtext(f"{ATOM}summary") or "" for entry in feed.iter(f"{ATOM}entry"))
    assert ABSTRACTS["Entities"] in summaries


def test_a_control_character_anywhere_leaves_every_xml_file_well_formed(tmp_path):
    capture = write_capture(tmp_path / "ctl.txt", "Bell\x07 and form\x0c feed\n\nAn abstract with \x01 and \x1b[0m "
                            "escapes.\n\n  • 3 authors\n·\nJun 6, 2022 3\n")
    ingest([capture], tmp_path / "content")
    page = next((tmp_path / "content" / "papers").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8").replace("Bell", "Bell\x02"), encoding="utf-8")  # by hand
    build(load_settings(None, tmp_path / "content", base_url="https://example.org/"), tmp_path / "site")
    for path in (tmp_path / "site").rglob("*.xml"):
        ET.parse(path)  # raises on a character XML 1.0 forbids


def test_the_title_boost_is_the_documented_one(site):
    documented = re.search(r"title boosted (\d+)x", (PROJECT / "README.md").read_text(encoding="utf-8"))
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert dict(zip(manifest["fields"], manifest["boosts"]))["title"] == int(documented.group(1)) == 10


@pytest.mark.parametrize("title", list(ABSTRACTS))
def test_the_markdown_page_renders_back_to_the_captured_text_in_markdown_itself(site, title):
    """Any Markdown tool reading the page (not only our renderer) gets the text back."""
    pages = [frontmatter.load(p) for p in (site.parent / "content" / "papers").glob("*.md")]
    [page] = [p for p in pages if p.metadata["title"].startswith(title + " ")]
    rendered = markdown.markdown(page.content)
    assert re.fullmatch(r"<p>[^<]*</p>", rendered), rendered
    assert html.unescape(rendered[3:-4]) == ABSTRACTS[title]
