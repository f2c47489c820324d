"""`catalogue ingest`: captures -> one Markdown page per paper, on the real captures."""

from __future__ import annotations

import datetime as dt
import html
import os
import re

import frontmatter
import markdown
import pytest
from conftest import SHIPPED_CONTENT, run_cli, write_capture

from generator.ingest.capture import read_capture
from generator.ingest.merge import ingest
from generator.ingest.slugs import title_key

CHROME = """\
new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Oct 27

"""


def page(content, title_start):
    matches = [p for p in (content / "papers").glob("*.md")
               if frontmatter.load(p).metadata["title"].startswith(title_start)]
    assert len(matches) == 1, f"{len(matches)} pages for {title_start!r}"
    return frontmatter.load(matches[0])


def rendered_text(body: str) -> str:
    """What a reader sees when the body is rendered with `markdown`: one paragraph of text."""
    out = markdown.markdown(body)
    assert out.startswith("<p>") and out.endswith("</p>")
    inner = out[3:-4]
    assert "<" not in inner, f"markup in rendered abstract: {inner[:200]}"
    return html.unescape(inner)


def independent_title_count(seeds) -> int:
    """Titles counted without the parser: a short line right before an abstract-length line."""
    keys = set()
    for path in seeds:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for line, following in zip(lines, lines[1:]):
            if len(line) < 300 and len(following) > 300:
                keys.add(re.sub(r"[\W_]+", "", line.casefold()))
    return len(keys)


def test_every_capture_is_read_and_each_paper_gets_one_page(ingested, seeds):
    content, report = ingested
    pages = list((content / "papers").glob("*.md"))
    assert report.captures_read == len(seeds) == 3
    assert report.papers_seen == len(pages) == independent_title_count(seeds) == 139
    assert report.new == 139 and not report.errors and not report.warnings


def test_papers_listed_by_several_captures_are_merged_into_one_page(ingested, seeds):
    content, _ = ingested
    entries = sum(len(read_capture(p).entries) for p in seeds)
    assert entries == 230 > len(list((content / "papers").glob("*.md")))
    loop = page(content, "Learning to Break the Loop")
    assert loop.metadata["sources"] == sorted(p.name for p in seeds)


def test_metadata_from_one_capture_fills_what_others_lack(ingested):
    content, _ = ingested
    # Listed by all three captures, but only 000_... shows its authors and date.
    loop = page(content, "Learning to Break the Loop")
    assert loop.metadata["author_count"] == 6
    assert loop.metadata["date"] == dt.date(2022, 6, 6)
    assert "upvotes" not in loop.metadata


def test_miromind_has_authors_upvotes_and_a_date_in_the_capture_year(ingested):
    content, _ = ingested
    miro = page(content, "MiroMind-M1")
    assert miro.metadata["author_count"] == 18
    assert miro.metadata["upvotes"] == 2
    # "Jul 19" on a capture whose latest explicit year is 2024: the capture is from 2025.
    assert miro.metadata["date"] == dt.date(2025, 7, 19)
    assert miro.metadata["title"].startswith("MiroMind-M1: An Open-Source Advancement")
    assert miro.metadata["slug"] == "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context"


def test_an_organisation_line_gives_the_organisation_name(ingested):
    content, _ = ingested
    dler = page(content, "DLER")
    assert dler.metadata["organisation"] == "NVIDIA"
    assert "author_count" not in dler.metadata
    assert dler.metadata["upvotes"] == 3
    assert dler.metadata["date"] == dt.date(2025, 10, 16)


def test_papers_no_capture_dates_have_no_date(ingested):
    content, _ = ingested
    # Listed only by captures without metadata blocks.
    recall = page(content, "BARS: Towards Open Benchmarking")
    assert "date" not in recall.metadata


def test_page_chrome_is_never_a_paper(ingested):
    content, _ = ingested
    titles = {frontmatter.load(p).metadata["title"].casefold() for p in (content / "papers").glob("*.md")}
    assert not titles & {"subscribe", "daily papers", "new", "byak and the research community", "oct 27"}


def test_every_abstract_renders_back_to_exactly_the_captured_text(ingested, seeds):
    content, _ = ingested
    by_key = {}
    for path in (content / "papers").glob("*.md"):
        post = frontmatter.load(path)
        by_key[title_key(post.metadata["title"])] = post.content
    checked = 0
    for capture in seeds:
        for entry in read_capture(capture).entries:
            body = by_key[title_key(entry.title)]
            if rendered_text(body) == entry.abstract:
                checked += 1
            else:  # a paper listed twice keeps the longer abstract
                assert len(rendered_text(body)) > len(entry.abstract)
    assert checked >= 139


def test_markup_in_an_abstract_stays_literal_text(tmp_path):
    tricky = r"We model x_t and y_t with *stars*, \'u accents, <think>tags</think>, [a](javascript:x) & `ticks` # 1. <script>alert(1)</script>"
    capture = write_capture(tmp_path / "tricky.txt", f"""
        A Paper About Markup

        {tricky}
        """)
    report = ingest([capture], tmp_path / "content")
    assert report.ok and report.new == 1
    post = page(tmp_path / "content", "A Paper About Markup")
    assert rendered_text(post.content) == tricky


def test_ingesting_again_changes_no_file_and_says_so(tmp_path, seeds):
    content = tmp_path / "content"
    first = run_cli("ingest", "--content", str(content), *map(str, seeds))
    assert first.returncode == 0, first.stderr
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in content.rglob("*.md")}
    second = run_cli("ingest", "--content", str(content), *map(str, seeds))
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert "0 new, 0 updated, 139 unchanged" in second.stdout
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in content.rglob("*.md")} == before


def test_reingesting_keeps_what_a_person_changed(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = next(p for p in (content / "papers").glob("*.md") if p.name.startswith("miromind"))
    post = frontmatter.load(path)
    post.metadata["title"] = "MiroMind-M1 (our reading group's pick)"
    post.metadata["topics"] = ["efficient-reasoning", "Our own topic"]
    post.metadata["reading_group"] = "2025-11-03"
    post.content += "\n\n## Notes\n\nDiscussed on Monday: *great* ablations."
    path.write_text(frontmatter.dumps(post, sort_keys=False) + "\n", encoding="utf-8")
    edited = path.read_text(encoding="utf-8")

    report = ingest(seeds, content)

    assert path.read_text(encoding="utf-8") == edited
    assert report.new == 0 and report.unchanged == 139
    assert len(list((content / "papers").glob("*.md"))) == 139


def test_a_new_capture_adds_its_source_and_higher_upvotes_to_an_existing_page(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    later = write_capture(tmp_path / "later.txt", CHROME + """
        MiroMind-M1: An Open-Source Advancement in Mathematical Reasoning via Context-Aware Multi-Stage Policy Optimization

        A shorter abstract.

          • 18 authors
        ·
        Jul 19, 2025 40
        """)
    report = ingest([later], content)
    assert report.updated == 1 and report.new == 0
    miro = page(content, "MiroMind-M1")
    assert miro.metadata["upvotes"] == 40
    assert miro.metadata["sources"] == ["000_ad819c97d76d7fd7.txt", "later.txt"]
    assert miro.content.startswith("Large language models have recently evolved")


def test_titles_equal_but_for_case_spacing_and_punctuation_are_one_paper(tmp_path):
    capture = write_capture(tmp_path / "a.txt", """
        Scaling Laws: A Study

        First abstract.

        scaling  laws -- a study!

        Second abstract, longer than the first.
        """)
    report = ingest([capture], tmp_path / "content")
    assert report.papers_seen == 1
    assert rendered_text(page(tmp_path / "content", "Scaling Laws").content) == "Second abstract, longer than the first."


def test_titles_of_punctuation_alone_are_different_papers(tmp_path):
    """With punctuation ignored they were all one key: three papers merged into one, silently."""
    capture = write_capture(tmp_path / "odd.txt", """
        ???

        A first abstract.

        !!!

        A second abstract.

        ...

        A third abstract.

        ? ? ?

        The first again, spaced out.
        """)
    report = ingest([capture], tmp_path / "content")
    assert report.papers_seen == 3 and report.new == 3
    titles = sorted(frontmatter.load(p).metadata["title"] for p in (tmp_path / "content" / "papers").glob("*.md"))
    assert titles == ["!!!", "...", "???"]


@pytest.mark.parametrize("title", [
    "../../../etc/passwd", "/absolute/path", "..", "日本語のタイトル", "CON", "a" * 400,
    "Ünïcödé: Ça marche?", "<script>alert(1)</script>",
])
def test_slugs_stay_inside_the_papers_folder_whatever_the_title(tmp_path, title):
    capture = write_capture(tmp_path / "hostile.txt", f"""
        {title}

        An abstract for a paper with a hostile title.
        """)
    report = ingest([capture], tmp_path / "content")
    assert report.ok and report.new == 1
    [written] = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".md"]
    assert written.parent == tmp_path / "content" / "papers"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", written.name)
    assert len(written.name) <= 100
    assert frontmatter.load(written).metadata["title"] == title


def test_different_titles_with_the_same_slug_get_distinct_stable_slugs(tmp_path):
    text = """
        Café Learning

        First paper.

        Cafe Learning

        Second paper: an accent is not punctuation, so another title.

        Cafè Learning

        Third, with an accent the slug drops.
        """
    capture = write_capture(tmp_path / "c.txt", text)
    ingest([capture], tmp_path / "a")
    ingest([capture], tmp_path / "b")
    names_a = sorted(p.name for p in (tmp_path / "a" / "papers").glob("*.md"))
    names_b = sorted(p.name for p in (tmp_path / "b" / "papers").glob("*.md"))
    assert names_a == names_b
    assert len(set(names_a)) == 3 and "cafe-learning.md" in names_a


def test_shipped_catalogue_is_what_ingesting_the_seeds_gives(ingested):
    content, _ = ingested
    fresh = {p.name: frontmatter.load(p).metadata for p in (content / "papers").glob("*.md")}
    shipped = {p.name: frontmatter.load(p).metadata for p in (SHIPPED_CONTENT / "papers").glob("*.md")}
    assert fresh.keys() == shipped.keys()
    for name, meta in fresh.items():
        for key in ("date", "author_count", "organisation", "upvotes", "sources", "paper_id"):
            assert shipped[name].get(key) == meta.get(key), (name, key)


# --- years -------------------------------------------------------------------------------------

def dated_capture(tmp_path, date_line: str, explicit: str | None = None):
    other = f"""
        Older Paper

        An older abstract.

          • 2 authors
        ·
        {explicit}
        """ if explicit else ""
    return write_capture(tmp_path / "dated.txt", f"""
        Dated Paper

        An abstract.

          • 3 authors
        ·
        {date_line}
        """ + other)


def test_year_option_places_yearless_dates(tmp_path):
    capture = dated_capture(tmp_path, "Mar 4")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), "--year", "2023", str(capture))
    assert result.returncode == 0, result.stderr
    assert page(tmp_path / "content", "Dated").metadata["date"] == dt.date(2023, 3, 4)


def test_yearless_dates_fall_in_the_year_after_the_latest_explicit_one(tmp_path):
    capture = dated_capture(tmp_path, "Mar 4", explicit="Dec 1, 2021")
    ingest([capture], tmp_path / "content")
    assert page(tmp_path / "content", "Dated").metadata["date"] == dt.date(2022, 3, 4)
    assert page(tmp_path / "content", "Older").metadata["date"] == dt.date(2021, 12, 1)


def test_a_capture_without_any_year_uses_the_current_year_and_says_so(tmp_path):
    capture = dated_capture(tmp_path, "Mar 4")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(capture))
    assert result.returncode == 0
    assert f"taken as {dt.date.today().year}" in result.stderr and "dated.txt" in result.stderr
    assert page(tmp_path / "content", "Dated").metadata["date"] == dt.date(dt.date.today().year, 3, 4)


def test_a_bad_year_option_is_refused_clearly(tmp_path):
    result = run_cli("ingest", "--year", "20x5", str(tmp_path / "x.txt"))
    assert result.returncode == 2 and "not a four-digit year" in result.stderr


# --- bad input ---------------------------------------------------------------------------------

def assert_one_clear_line(result, name: str):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if name in ln and ln.startswith("error:")]
    assert len(lines) == 1, result.stderr


@pytest.mark.parametrize("name,data,problem", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"\n\n   \n", "empty"),
    ("latin1.txt", "Caf\u00e9 paper\n\nAbstract.\n".encode("latin-1"), "not UTF-8"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ("chrome-only.txt", CHROME.encode(), "no recognisable paper"),
])
def test_an_unusable_capture_gets_one_line_and_the_others_still_get_in(tmp_path, seeds, name, data, problem):
    bad = tmp_path / name
    bad.write_bytes(data)
    content = tmp_path / "content"
    result = run_cli("ingest", "--content", str(content), str(bad), str(seeds[0]))
    assert_one_clear_line(result, name)
    assert problem in result.stderr
    assert len(list((content / "papers").glob("*.md"))) == independent_title_count(seeds[:1])
    assert "1 failed" in result.stdout


def test_a_missing_capture_file_is_named(tmp_path):
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(tmp_path / "nope.txt"))
    assert_one_clear_line(result, "nope.txt")


def test_a_truncated_last_entry_is_reported_and_the_rest_kept(tmp_path, seeds):
    text = (SHIPPED_CONTENT.parent.parent / "shared" / "seeds" / "000_ad819c97d76d7fd7.txt").read_text(encoding="utf-8")
    truncated = write_capture(tmp_path / "cut.txt", text.rstrip() + "\n\nA Title Whose Abstract Was Cut Off\n")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(truncated))
    assert result.returncode == 0, result.stderr
    assert re.search(r"warning: .*cut\.txt:\d+: entry 'A Title Whose Abstract Was Cut Off' has no abstract", result.stderr)
    assert len(list((tmp_path / "content" / "papers").glob("*.md"))) == independent_title_count(seeds[:1])


def test_an_impossible_date_leaves_the_date_empty_with_a_warning_naming_file_and_line(tmp_path):
    capture = dated_capture(tmp_path, "Feb 30, 2024 5")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(capture))
    assert result.returncode == 0
    line = capture.read_text(encoding="utf-8").splitlines().index("Feb 30, 2024 5") + 1
    assert f"dated.txt:{line}: impossible date 'Feb 30, 2024 5'; date left empty" in result.stderr
    meta = page(tmp_path / "content", "Dated").metadata
    assert "date" not in meta and meta["author_count"] == 3


def test_an_unreadable_date_line_leaves_the_date_empty(tmp_path):
    capture = dated_capture(tmp_path, "Yesterday-ish")
    report = ingest([capture], tmp_path / "content")
    assert report.ok and any("unreadable date 'Yesterday-ish'" in w for w in report.warnings)
    assert "date" not in page(tmp_path / "content", "Dated").metadata


def test_ingest_writes_nothing_outside_the_content_folder(tmp_path, seeds):
    content = tmp_path / "work" / "content"
    ingest(seeds, content)
    outside = [p for p in tmp_path.rglob("*") if content not in p.parents and p != content and p.is_file()]
    assert outside == []
    assert not [p for p in content.rglob("*") if p.name.startswith(".")], "temporary files left behind"


def test_a_page_a_person_broke_is_left_alone_and_named(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = next(p for p in (content / "papers").glob("*.md") if p.name.startswith("miromind"))
    path.write_text("---\ntitle: [unclosed\n---\nmy notes\n", encoding="utf-8")
    result = run_cli("ingest", "--content", str(content), *map(str, seeds))
    assert_one_clear_line(result, path.name)
    assert path.read_text(encoding="utf-8") == "---\ntitle: [unclosed\n---\nmy notes\n"
    assert len(list((content / "papers").glob("*.md"))) == 139


def test_a_text_file_that_is_not_a_listing_capture_is_refused(tmp_path, seeds):
    readme = tmp_path / "notes.txt"
    readme.write_text("# Reading group\n\nWe meet on Mondays to discuss papers about continual learning and "
                      "forgetting, and anything else a member brings along to the meeting.\n\n"
                      "## Rules\n\nBring a paper, read it before, and be kind about other people's picks.\n",
                      encoding="utf-8")
    content = tmp_path / "content"
    result = run_cli("ingest", "--content", str(content), str(readme), str(seeds[1]))
    assert_one_clear_line(result, "notes.txt")
    assert "not a Daily Papers capture" in result.stderr
    assert len(list((content / "papers").glob("*.md"))) == independent_title_count(seeds[1:2])


def test_a_listing_without_its_header_is_recognised_by_its_metadata(tmp_path):
    capture = write_capture(tmp_path / "bare.txt", """
        A Bare Paper

        An abstract long enough to be one, about repetition in generation.

          • 3 authors
        ·
        Jan 5, 2024
        """, header=False)
    report = ingest([capture], tmp_path / "content")
    assert report.ok and report.new == 1


@pytest.mark.parametrize("cut", ["in an abstract", "in a character"])
def test_a_capture_cut_short_inside_its_last_paper_skips_that_paper_with_a_warning(tmp_path, seeds, cut):
    """A listing whose papers all have their metadata block, cut in the last one's abstract: the
    half abstract was kept without a word, and never replaced (ingest fills only empty bodies).
    Cut inside a character, the whole capture was refused as not UTF-8."""
    raw = seeds[0].read_bytes()
    title = "Rethinking Repetition Problems of LLMs in Code Generation".encode()
    at = raw.index(title)
    abstract = raw.index(b"\n", at + len(title) + 2) - 40  # forty bytes before its abstract's end
    if cut == "in a character":
        abstract = raw.index("\u2022".encode(), abstract) + 1  # after the first of its three bytes
    (tmp_path / "cut.txt").write_bytes(raw[:abstract])
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(tmp_path / "cut.txt"))
    assert result.returncode == 0, result.stderr
    line = raw[:at].count(b"\n") + 1
    assert f"cut.txt:{line}: entry 'Rethinking Repetition Problems of LLMs in Code Generation' has no metadata " \
           "block after it (truncated capture?), skipped" in result.stderr, result.stderr
    pages = list((tmp_path / "content" / "papers").glob("*.md"))
    assert not [p for p in pages if p.name.startswith("rethinking-repetition")]
    before = len(re.findall(rb"\n\xc2\xb7\n", raw[:at]))  # the papers whose blocks it holds whole
    assert len(pages) == before


# --- captures as people save them -----------------------------------------------------------------

@pytest.mark.parametrize("joint", ["", "\n", "\ufeff"], ids=["cat", "a blank line", "a byte order mark"])
@pytest.mark.parametrize("pair", [(0, 1), (1, 2), (0, 2)])
def test_two_captures_saved_into_one_file_give_what_they_give_apart(tmp_path, seeds, joint, pair):
    """`cat a.txt b.txt > both.txt`: "Subscribe", "Daily Papers" and "byAK ..." were papers; the
    seeds end without a line end, so the second's `new` was glued to the first's last line (a
    date lost, an abstract ending "FA2.new"); and both took one year, moving dates."""
    first, second = (seeds[n].read_text(encoding="utf-8") for n in pair)
    (tmp_path / "both.txt").write_text(first + joint + second, encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "both"), str(tmp_path / "both.txt"))
    assert result.returncode == 0, result.stderr
    assert "another listing's page header (two captures in one file?), skipped" in result.stderr
    assert run_cli("ingest", "--content", str(tmp_path / "apart"), *(str(seeds[n]) for n in pair)).returncode == 0

    def pages(content):
        posts = [frontmatter.load(p) for p in (content / "papers").glob("*.md")]
        return sorted((post.content, sorted((k, str(v)) for k, v in post.metadata.items() if k != "sources"))
                      for post in posts)
    assert pages(tmp_path / "both") == pages(tmp_path / "apart")
    assert len(pages(tmp_path / "both")) == independent_title_count([seeds[n] for n in pair])


@pytest.mark.parametrize("shown,upvotes", [("1.2k", 1200), ("1,234", 1234), ("—", None), ("12", 12)])
def test_upvotes_as_the_page_prints_them_keep_the_date(tmp_path, shown, upvotes):
    capture = dated_capture(tmp_path, f"Jun 7, 2022 {shown}")
    report = ingest([capture], tmp_path / "content")
    assert report.ok and not report.warnings, report.warnings
    meta = page(tmp_path / "content", "Dated").metadata
    assert meta["date"] == dt.date(2022, 6, 7) and meta.get("upvotes") == upvotes


def test_an_upvote_count_that_is_no_number_leaves_only_the_upvotes_empty(tmp_path):
    capture = dated_capture(tmp_path, "Jun 7, 2022 1.2.3")
    report = ingest([capture], tmp_path / "content")
    assert any("implausible upvote count '1.2.3'" in w for w in report.warnings), report.warnings
    meta = page(tmp_path / "content", "Dated").metadata
    assert meta["date"] == dt.date(2022, 6, 7) and "upvotes" not in meta


def counted(tmp_path, line: str) -> dict:
    """The frontmatter of a paper whose block's first line is `line`."""
    capture = write_capture(tmp_path / "authors.txt", f"""
        Counted Paper

        An abstract.

          {line}
        ·
        Jan 5, 2024 3
        """)
    ingest([capture], tmp_path / "content")
    return page(tmp_path / "content", "Counted").metadata


@pytest.mark.parametrize("line,count", [("• 6 Authors", 6), ("• 1,024 authors", 1024), ("• 1 AUTHOR", 1)])
def test_an_author_count_in_any_case_or_with_a_thousands_comma_is_a_count_not_an_organisation(tmp_path, line, count):
    meta = counted(tmp_path, line)
    assert meta["author_count"] == count and "organisation" not in meta


@pytest.mark.parametrize("line,organisation", [("• 6 authors · Google DeepMind", "Google DeepMind"),
                                               ("· 6 Authors · Allen Institute for AI", "Allen Institute for AI"),
                                               ("• 6 authors ·", None)])
def test_an_author_count_and_an_organisation_on_one_line_are_both_read(tmp_path, line, organisation):
    meta = counted(tmp_path, line)
    assert meta["author_count"] == 6 and meta.get("organisation") == organisation and meta["upvotes"] == 3


def test_a_stray_line_between_an_abstract_and_its_block_is_skipped_not_made_the_abstract(tmp_path, seeds):
    """"Submitted by akhaliq" under an abstract made the abstract the title."""
    lines = seeds[0].read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("•"))  # the first paper's block
    lines.insert(at, "Submitted by akhaliq")
    (tmp_path / "stray.txt").write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "stray"), str(tmp_path / "stray.txt"))
    assert f"stray.txt:{at + 1}: line 'Submitted by akhaliq' is not part of a paper, skipped" in result.stderr
    assert run_cli("ingest", "--content", str(tmp_path / "plain"), str(seeds[0])).returncode == 0
    for name in ("stray", "plain"):
        assert sorted(p.name for p in (tmp_path / name / "papers").glob("*.md")) == \
            sorted(p.name for p in (tmp_path / "plain" / "papers").glob("*.md"))
    assert all(len(str(frontmatter.load(p)["title"])) < 300 for p in (tmp_path / "stray" / "papers").glob("*.md"))


def test_an_abstract_saved_as_two_paragraphs_keeps_both_under_its_title(tmp_path, seeds):
    """A first paragraph over 400 characters (too long for a title) lost the second as a stray
    line. The split is made at the first full stop past 400 characters of a real abstract."""
    lines = seeds[0].read_text(encoding="utf-8").split("\n")
    block = next(i for i, line in enumerate(lines) if line.strip().startswith("•"))
    at = max(i for i in range(block) if lines[i].strip())  # the first paper's abstract
    abstract = lines[at].strip()
    cut = abstract.index(". ", 400) + 1
    lines[at:at + 1] = [abstract[:cut], abstract[cut:].strip()]
    (tmp_path / "split.txt").write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "split"), str(tmp_path / "split.txt"))
    assert result.returncode == 0 and "not part of a paper" not in result.stderr, result.stderr
    assert run_cli("ingest", "--content", str(tmp_path / "plain"), str(seeds[0])).returncode == 0
    names = sorted(p.name for p in (tmp_path / "plain" / "papers").glob("*.md"))
    assert sorted(p.name for p in (tmp_path / "split" / "papers").glob("*.md")) == names
    title = max(i for i in range(at) if lines[i].strip())
    paper = page(tmp_path / "split", lines[title].strip()[:40])
    assert markdown.markdown(paper.content).count("<p>") == 2
    assert " ".join(html.unescape(re.sub("<[^>]+>", " ", markdown.markdown(paper.content))).split()) == abstract


@pytest.mark.parametrize("ending", [".", " at https://github.com/Zoeyyao27/SirLLM", " in practice?", " (code released)"])
def test_a_stray_line_under_an_abstract_of_usual_length_is_skipped_however_it_ends(tmp_path, ending):
    """Under 400 characters, an abstract with a stray line under it became the title; and one
    ending in an address (as seed abstracts do) or in `?` or `)` still did after the first fix."""
    abstract = "We study how language models repeat themselves, and how a simple penalty stops them from doing so at all" + ending
    capture = write_capture(tmp_path / "stray.txt", f"""
        Breaking the Loop

        {abstract}
        Submitted by akhaliq

          • 6 authors
        ·
        Jan 5, 2024 3
        """)
    report = ingest([capture], tmp_path / "content")
    assert any("'Submitted by akhaliq' is not part of a paper" in w for w in report.warnings), report.warnings
    paper = page(tmp_path / "content", "Breaking the Loop")
    assert rendered_text(paper.content) == abstract


LONG_TITLE = "Attention Sinks Are Not What You Think: A Careful Study of Softmax Saturation in Decoder-Only Transformers."


@pytest.mark.parametrize("above", [
    "Sparse Mixtures of Experts\n\nWe study sparse mixtures of experts for long-context language modelling and show "
    "that routing by position is as good as routing by content.\n\n",
    "Trending\n\n"])
def test_a_long_title_ending_in_a_full_stop_stays_a_title_whatever_is_above_it(tmp_path, above):
    """A title of 100 characters or more ending in a full stop was taken for a paragraph of the
    abstract under it: the paper above (or a stray line) became its title."""
    capture = write_capture(tmp_path / "long.txt", above + f"""{LONG_TITLE}

        We revisit attention sinks in decoder-only transformers and find that they arise from softmax saturation.

          • 6 authors
        ·
        Jul 19, 2024 2
        """)
    ingest([capture], tmp_path / "content")
    paper = page(tmp_path / "content", "Attention Sinks")
    assert paper.metadata["title"] == LONG_TITLE and paper.metadata["author_count"] == 6
    assert rendered_text(paper.content).startswith("We revisit attention sinks")


def test_papers_without_blocks_after_papers_with_them_are_papers_still_and_the_footer_is_not(tmp_path):
    """Only a last entry cut short is skipped: three complete papers after the last block were all
    dropped; and the page's footer after them (Previous, Next, ...) is no paper either."""
    long = "an abstract long enough to be one, about repetition in generation and how to measure it well"
    capture = write_capture(tmp_path / "mixed.txt", f"""
        Blocked Paper

        The first {long}.

          • 3 authors
        ·
        Jan 5, 2024 3

        Free Paper One

        The second {long}.

        Free Paper Two

        The third {long}.

        Previous

        Next

        System theme

        TOS
        """)
    report = ingest([capture], tmp_path / "content")
    assert report.new == 3, report.warnings
    assert len(report.warnings) == 1 and "4 line(s) after the last paper, from 'Previous'" in report.warnings[0]


def test_a_content_folder_that_is_a_file_is_named_in_one_line(tmp_path, seeds):
    (tmp_path / "afile").write_text("notes\n", encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "afile"), str(seeds[0]))
    assert_one_clear_line(result, "afile")
    assert "the content folder is a file, not a folder" in result.stderr
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "notes\n"


def test_a_temporary_page_a_killed_ingest_left_is_removed_by_the_next_one(tmp_path, seeds):
    """Ctrl-C inside mkstemp left `.<page>.md.<random>.tmp`, private and empty, in the user's git status."""
    import subprocess
    import sys

    assert run_cli("ingest", "--content", str(tmp_path / "content"), str(seeds[0])).returncode == 0
    papers = tmp_path / "content" / "papers"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = papers / f".some-paper.md.{gone.stdout.strip()}.k2j4h1.tmp"  # its process has ended
    running = papers / f".other-paper.md.{os.getpid()}.a8s7d6.tmp"  # an ingest still writing it
    leftover.write_text("", encoding="utf-8")
    running.write_text("", encoding="utf-8")
    assert run_cli("ingest", "--content", str(tmp_path / "content"), str(seeds[0])).returncode == 0
    assert not leftover.exists() and running.exists()


@pytest.mark.parametrize("period", ["March 2025", "Week 10, 2025"])
def test_a_weekly_or_monthly_listing_dates_its_papers_in_the_year_its_header_names(tmp_path, period):
    """Its header was an unknown line, and its papers were dated in the current year."""
    capture = write_capture(tmp_path / "period.txt", f"""
        {period}

        Periodic Paper

        An abstract.

          • 3 authors
        ·
        Mar 3 12
        """)
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(capture))
    assert result.returncode == 0 and "warning" not in result.stderr and "no year" not in result.stderr, result.stderr
    assert page(tmp_path / "content", "Periodic").metadata["date"] == dt.date(2025, 3, 3)


def test_a_listing_without_blocks_cut_inside_its_last_abstract_says_so(tmp_path, seeds):
    """Cut 600 characters before its end, the half abstract went in without a word."""
    text = seeds[1].read_text(encoding="utf-8")
    (tmp_path / "cut.txt").write_text(text[:-600], encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(tmp_path / "cut.txt"))
    assert result.returncode == 0
    assert re.search(r"cut\.txt:\d+: the abstract of 'Just read twice.*' stops mid-sentence \(truncated capture\?\)",
                     result.stderr), result.stderr
    whole = run_cli("ingest", "--content", str(tmp_path / "whole"), *map(str, seeds))
    assert "stops mid-sentence" not in whole.stderr


def test_a_new_page_never_takes_the_name_of_a_page_there_even_with_its_paper_id():
    """With both `lab` and `lab-<paper id>` taken (a page renamed by hand), the new page overwrote the second."""
    from generator.ingest.slugs import slug_forms, unique_slug

    plain, with_id = slug_forms("Lab β")
    assert unique_slug("Lab β", set()) == plain == "lab"
    assert unique_slug("Lab β", {plain}) == with_id
    assert unique_slug("Lab β", {plain, with_id}) == f"{with_id}-2"
    assert unique_slug("Lab β", {plain, with_id, f"{with_id}-2"}) == f"{with_id}-3"


def test_a_last_abstract_ending_in_an_address_is_whole(tmp_path, seeds):
    """Five of the seeds' abstracts end with their code's address: no "mid-sentence" warning for them."""
    lines = seeds[1].read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.rstrip().endswith(("github.com", "/")) and len(line) > 300)
    (tmp_path / "ends.txt").write_text("\n".join(lines[:at + 1]), encoding="utf-8")
    result = run_cli("ingest", "--content", str(tmp_path / "content"), str(tmp_path / "ends.txt"))
    assert result.returncode == 0 and "mid-sentence" not in result.stderr, result.stderr
