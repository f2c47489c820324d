"""A person's edits are theirs: ingest again, and a page stays byte for byte as they left it, unless a
capture brings something new, and then only the lines that must change do."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import frontmatter
import pytest
from conftest import run_cli, write_capture

from generator.ingest.merge import ingest

CHROME = "new\n\nSubscribe\n\nDaily Papers\n\nOct 27\n\n"
MIRO = "MiroMind-M1: An Open-Source Advancement in Mathematical Reasoning via Context-Aware Multi-Stage Policy Optimization"


def _miro(content):
    return next(p for p in (content / "papers").glob("*.md") if p.name.startswith("miromind"))


def _hand_edit(path):
    """What a person does in an editor: a comment, a flow-style list, quotes of their own, a note."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("---", 1)
    lines[at:at] = ["# my note: read this one first", "topics: [Reasoning, \"Our pick\"]", "rating: 'A+'   # mine"]
    lines.append("Notes from Monday.\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path.read_bytes()


def test_ingesting_again_leaves_a_hand_edited_page_byte_for_byte(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    edited = _hand_edit(_miro(content))
    report = ingest(seeds, content)
    assert _miro(content).read_bytes() == edited
    assert report.updated == 0 and report.new == 0


def test_a_capture_that_brings_something_new_changes_only_the_lines_it_must(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    edited = _hand_edit(_miro(content)).decode("utf-8")
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nA shorter abstract.\n\n"
                          "  • 18 authors\n·\nJul 19, 2025 40\n", header=False)
    report = ingest([later], content)
    assert report.updated == 1
    after = _miro(content).read_text(encoding="utf-8")
    diff = [line for line in difflib.ndiff(edited.split("\n"), after.split("\n")) if line[:1] in "+-"]
    assert sorted(diff) == sorted(["- upvotes: 2", "+ upvotes: 40", "+ - later.txt"]), diff


FLOW_OVER_LINES = {  # a [...] list a person spread over lines, and the same with the new source added
    "each item with its comma": ("sources: [\n  000_ad819c97d76d7fd7.txt,  # c1\n]",
                                 "sources: [\n  000_ad819c97d76d7fd7.txt,  # c1\n  later.txt,\n]"),
    "the last item without one": ("sources: [\n  '000_ad819c97d76d7fd7.txt'  # c1\n]",
                                  "sources: [\n  '000_ad819c97d76d7fd7.txt',  # c1\n  later.txt\n]"),
    "closed on the last item's line": ("sources: [  # c1\n  000_ad819c97d76d7fd7.txt]",
                                       "sources: [  # c1\n  000_ad819c97d76d7fd7.txt, later.txt]"),
}


@pytest.mark.parametrize("layout", list(FLOW_OVER_LINES))
def test_a_new_source_joins_a_list_spread_over_lines_and_its_comments_stay(tmp_path, seeds, layout):
    """Such a list was written again whole, and the comment inside it was lost."""
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    before, after = FLOW_OVER_LINES[layout]
    text = path.read_text(encoding="utf-8").replace("sources:\n- 000_ad819c97d76d7fd7.txt", before)
    path.write_text(text, encoding="utf-8")
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nAn abstract.\n", header=False)
    assert ingest([later], content).updated == 1
    assert path.read_text(encoding="utf-8") == text.replace(before, after)
    assert frontmatter.load(path).metadata["sources"] == ["000_ad819c97d76d7fd7.txt", "later.txt"]


def test_new_sources_join_any_layout_of_a_list_and_every_comment_and_other_key_stays():
    """300 lists as a person may write them (one line or several, quoted or not, commas after
    every item or not, comments anywhere): the page reads back with the new sources after the
    old, its other keys as they were, and every comment still in it."""
    import random

    import yaml

    from generator.ingest.pages import update_page

    rng = random.Random(7)
    for _ in range(300):
        items = [f"s{i}.txt" for i in range(rng.randint(0, 4))]
        quoted = [rng.choice(["{}", "'{}'", '"{}"']).format(item) for item in items]
        comments = [rng.choice(["", f"  # c{i}"]) for i in range(len(items) + 2)]
        layout = rng.choice(["one line", "commas", "no last comma", "closed on the last line", "a last comma"])
        if layout == "one line" or not items:  # `[]` too: a page made by hand
            block = f"sources: [{', '.join(quoted)}]{comments[0]}"
        elif layout == "a last comma":
            block = f"sources: [{comments[0]}\n  " + ", ".join(quoted) + f", ]{comments[-1]}"
        else:
            lines = [f"sources: [{comments[0]}"]
            for i, item in enumerate(quoted):
                last = i == len(quoted) - 1
                comma = "" if last and layout != "commas" else ","
                lines.append(f"  {item}]{comments[i + 1]}" if last and layout == "closed on the last line"
                             else f"  {item}{comma}{comments[i + 1]}")
            if layout != "closed on the last line":
                lines.append(f"]{comments[-1]}")
            block = "\n".join(lines)
        text = f"---\ntitle: T\n{block}\nupvotes: 3\n---\nBody\n"
        # capture names hold what ends a plain item in [...]: a comma, brackets, braces
        news = ["n1.txt", "Daily Papers, 11 March.txt", "notes [v2].txt", "a {b}.txt", "s0.txt"]
        wanted = items + [s for s in rng.sample(news, 2) if s not in items]
        updated = update_page(text, Path("p.md"), {"sources": wanted})
        assert yaml.safe_load(updated.split("---\n")[1]) == {"title": "T", "sources": wanted, "upvotes": 3}, text
        assert all(comment in updated for comment in comments if comment in text), (text, updated)
        assert updated.endswith("---\nBody\n")


def test_a_page_saved_with_windows_line_ends_is_updated_in_them(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nA shorter abstract.\n\n"
                          "  \u2022 18 authors\n\u00b7\nJul 19, 2025 40\n", header=False)
    assert ingest([later], content).updated == 1
    data = path.read_bytes()
    assert b"upvotes: 40\r\n" in data and b"- later.txt\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_page_that_mixes_line_ends_keeps_each_line_kept_in_its_own(tmp_path, seeds):
    """A page pasted together from two editors: its frontmatter in \\r\\n, its body in \\n. An
    update made every line \\r\\n, so the whole page showed as changed."""
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    head, _, body = path.read_bytes().partition(b"\n---\n")
    path.write_bytes(head.replace(b"\n", b"\r\n") + b"\r\n---\r\n" + body)
    before = path.read_bytes().splitlines(keepends=True)
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nA shorter abstract.\n\n"
                          "  \u2022 18 authors\n\u00b7\nJul 19, 2025 40\n", header=False)
    assert ingest([later], content).updated == 1
    after = path.read_bytes().splitlines(keepends=True)
    gone, added = [line for line in before if line not in after], [line for line in after if line not in before]
    assert [line for line in gone if not line.startswith(b"upvotes:")] == []
    assert sorted(added) == [b"- later.txt\r\n", b"upvotes: 40\r\n"]
    assert b"".join(after).endswith(body)


def test_a_new_source_joins_a_flow_style_list_in_its_own_style(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    text = path.read_text(encoding="utf-8").replace("sources:\n- 000_ad819c97d76d7fd7.txt",
                                                   "sources: [000_ad819c97d76d7fd7.txt]")
    path.write_text(text, encoding="utf-8")
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nAn abstract.\n", header=False)
    ingest([later], content)
    assert "sources: [000_ad819c97d76d7fd7.txt, later.txt]\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_pages_follow_the_umask_like_any_file(tmp_path, seeds, umask, mode):
    old = os.umask(umask)
    try:
        ingest(seeds[:1], tmp_path / "content")
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "content" / "papers").glob("*.md")}
    assert modes == {mode}


def test_an_updated_page_keeps_its_own_mode(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    path.chmod(0o640)
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nAn abstract.\n", header=False)
    assert ingest([later], content).updated == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_page_starting_with_a_byte_order_mark_is_read_and_kept(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nAn abstract.\n", header=False)
    report = ingest([later], content)
    assert report.ok and report.updated == 1 and report.new == 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbf---\n") and b"later.txt" in path.read_bytes()
    assert len(list((content / "papers").glob("*.md"))) == 139


BROKEN = {
    "empty": "",
    "unclosed frontmatter": "---\ntitle: 'MiroMind-M1'\nslug: miromind\n",
    "frontmatter that is a list": "---\n- MiroMind-M1\n- a list\n---\nnotes\n",
    "no frontmatter": "MiroMind-M1: my notes, no frontmatter at all\n",
    "a month 13": "---\ntitle: 'MiroMind-M1'\ndate: 2024-13-45\n---\nnotes\n",
    "a 30 February": "---\ntitle: 'MiroMind-M1'\ndate: 2024-02-30\n---\nnotes\n",
    "no title": "---\nslug: miromind\n---\nnotes\n",
    "bad YAML": "---\ntitle: [unclosed\n---\nmy notes\n",
}


@pytest.mark.parametrize("breakage", list(BROKEN))
def test_a_page_that_cannot_be_read_is_named_left_alone_and_never_duplicated(tmp_path, seeds, breakage):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    path.write_text(BROKEN[breakage], encoding="utf-8")
    result = run_cli("ingest", "--content", str(content), *map(str, seeds))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"{path.name}:" in errors[0], result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert path.read_text(encoding="utf-8") == BROKEN[breakage]
    assert len(list((content / "papers").glob("*.md"))) == 139


def test_an_impossible_date_in_a_page_names_the_file_and_line(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    path.write_text(BROKEN["a month 13"], encoding="utf-8")
    result = run_cli("ingest", "--content", str(content), *map(str, seeds))
    assert f"{path.name}:3: 2024-13-45 is not a real date" in result.stderr, result.stderr
    assert ", 138 unchanged, 1 left alone (their pages have errors);" in result.stdout  # not 139 unchanged


def test_a_broken_page_does_not_stop_new_captures_getting_in(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds[:1], content)
    _miro(content).write_text(BROKEN["a month 13"], encoding="utf-8")
    report = ingest(seeds[1:], content)
    assert not report.ok and report.new > 0


@pytest.mark.parametrize("oddity", [["note: a", "note: b"], ["note: a\x01b"]], ids=["a key given twice", "a control character"])
def test_a_page_ingest_cannot_update_faithfully_is_named_left_alone_and_the_next_papers_get_in(tmp_path, seeds, oddity):
    """The build reads such a page (the last of a key given twice wins; control characters are
    dropped); the YAML that updates pages in place refuses it. Ingest stopped there, with a
    multi-line error naming no file, and the papers after it in the capture were lost."""
    content = tmp_path / "content"
    ingest(seeds[:1], content)
    path = _miro(content)
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if not line.startswith("upvotes:")]
    lines[1:1] = oddity
    path.write_text("\n".join(lines), encoding="utf-8")
    before = path.read_bytes()
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nAn abstract.\n\n  • 18 authors\n·\nJul 19, 2025 40\n\n"
                          "A Paper Listed After It\n\nIts abstract.\n\n  • 2 authors\n·\nJul 19, 2025 3\n", header=False)
    result = run_cli("ingest", "--content", str(content), str(later))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    line = 1 + len(oddity)  # the key given again, or the line holding the character
    assert len(errors) == 1 and f"{path}:{line}: " in errors[0] and "page left as it is" in errors[0], result.stderr
    assert path.read_bytes() == before
    assert (content / "papers" / "a-paper-listed-after-it.md").exists()
    assert "2 papers: 1 new, 0 updated, 0 unchanged, 1 left alone (their pages have errors)" in result.stdout


def test_a_new_paper_never_takes_a_slug_a_hand_edited_page_gave_itself(tmp_path, seeds):
    """The slug was picked among the pages' file names only, so the build then failed on two
    papers with one slug."""
    content = tmp_path / "content"
    ingest(seeds[:1], content)
    path = _miro(content)
    path.write_text(path.read_text(encoding="utf-8").replace("\nslug: ", "\nslug: zebra-paper\nold_slug: "),
                    encoding="utf-8")
    zebra = write_capture(tmp_path / "zebra.txt", CHROME + "Zebra Paper\n\nStripes.\n\n  \u2022 2 authors\n\u00b7\n"
                          "Jul 19, 2025 3\n", header=False)
    assert ingest([zebra], content).new == 1
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "papers" / "zebra-paper" / "index.html").read_text(encoding="utf-8").count(MIRO[:20]) >= 1


@pytest.mark.parametrize("cleared", ["author_count:", "author_count: ''", "upvotes:", "upvotes: null"])
def test_a_value_a_person_cleared_stays_cleared_when_the_captures_are_ingested_again(tmp_path, seeds, cleared):
    """A wrong value set to "" (or a key left empty) was filled in again from the capture: ingest
    never writes an empty value, so an empty one is the person's."""
    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    key = cleared.split(":")[0]
    lines = [cleared if line.startswith(f"{key}:") else line for line in path.read_text(encoding="utf-8").split("\n")]
    assert cleared in lines, "the shipped capture gives the page this key"
    path.write_text("\n".join(lines), encoding="utf-8")
    later = write_capture(tmp_path / "later.txt", CHROME + f"{MIRO}\n\nA shorter abstract.\n\n"
                          "  • 18 authors\n·\nJul 19, 2025 40\n", header=False)
    ingest([*seeds, later], content)
    after = path.read_text(encoding="utf-8")
    assert [line for line in after.split("\n") if line.startswith(f"{key}:")] == [cleared], after
    assert "- later.txt" in after  # the capture was read, and its name added


def test_a_paper_made_a_draft_is_kept_by_ingest_and_left_out_of_every_build(tmp_path, seeds):
    """Deleting a page is undone by the next ingest of the same captures; `draft: true` (Hugo's key)
    keeps the page, and the build leaves the paper out of every page, list, feed and search file."""
    from conftest import SHIPPED_CONTENT  # noqa: F401  (the same captures)

    content = tmp_path / "content"
    ingest(seeds, content)
    path = _miro(content)
    slug = path.stem
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", "\ndraft: true\ntitle:", 1), encoding="utf-8")
    before = path.read_bytes()
    assert ingest(seeds, content).new == 0 and path.read_bytes() == before
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content), "--out", str(out), "--base-url", "https://lab.example.org/")
    assert result.returncode == 0, result.stderr
    assert not (out / "papers" / slug).exists()
    holding = [p for p in out.rglob("*") if p.is_file() and slug.encode() in p.read_bytes()]
    assert holding == [], holding
    papers = len(list((content / "papers").glob("*.md")))
    assert f"({papers - 1} papers," in result.stdout
    assert run_cli("check", "--content", str(content), "--strict").returncode == 0


def test_a_page_moved_into_a_subfolder_is_read_where_it_is_and_never_written_again(tmp_path, seeds):
    """Sorted into `papers/2025/` and retitled, it was left out of every build, and the next ingest
    wrote the captured page back at the top: the paper twice, the person's title lost."""
    content = tmp_path / "content"
    ingest(seeds, content)
    moved = content / "papers" / "2025" / _miro(content).name
    moved.parent.mkdir()
    _miro(content).rename(moved)
    post = frontmatter.load(moved)
    post["title"] = "MiroMind, ours"
    moved.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    edited = moved.read_bytes()
    report = ingest(seeds, content)
    assert report.new == 0 and moved.read_bytes() == edited
    assert not list((content / "papers").glob("miromind*.md"))
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "site" / "papers" / moved.stem / "index.html"
    assert "MiroMind, ours" in page.read_text(encoding="utf-8")
    pages = len([p for p in (content / "papers").rglob("*.md")])
    assert f"({pages} papers" in result.stdout


@pytest.mark.parametrize("value", ['"2"', "1.0", "lots"])
def test_upvotes_ingest_cannot_raise_are_left_as_they_are_and_named(tmp_path, seeds, value):
    """`upvotes: lots` stopped every build, yet ingest said "0 error(s), 0 warning(s)" and moved on."""
    content = tmp_path / "content"
    ingest(seeds, content)
    page = _miro(content)
    text = page.read_text(encoding="utf-8")
    start = text.index("\nupvotes:") + 1
    end = text.index("\n", start)
    page.write_text(text[:start] + f"upvotes: {value}" + text[end:], encoding="utf-8")
    edited = page.read_bytes()
    line = text[:start].count("\n") + 1
    report = ingest(seeds, content)
    assert page.read_bytes() == edited
    assert [w for w in report.warnings if f"{page.name}:{line}: upvotes is" in w and "left as it is" in w], report.warnings


def test_a_page_whose_title_was_changed_and_paper_id_removed_is_still_its_papers_page(tmp_path, seeds):
    """It kept its slug and sources, yet ingest wrote the paper a second page."""
    content = tmp_path / "content"
    ingest(seeds, content)
    page = _miro(content)
    post = frontmatter.load(page)
    post["title"] = "MiroMind, ours"
    del post["paper_id"]
    page.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    report = ingest(seeds, content)
    assert report.new == 0 and frontmatter.load(page)["title"] == "MiroMind, ours"  # (its paper_id filled in again)
    assert len(list((content / "papers").glob("miromind*.md"))) == 1


def test_papers_whose_titles_give_one_slug_keep_their_own_pages(tmp_path):
    """`Lab α` and `Lab β` from one capture share the slug `lab`: a slug and a source never give
    one paper's capture to the other's page, even when a person renamed one of them."""
    capture = write_capture(tmp_path / "labs.txt", """
        Lab α

        The first abstract, about alpha.

          • 3 authors
        ·
        Jan 5, 2024 3

        Lab β

        The second abstract, about beta.

          acme Acme Lab
        ·
        Jan 6, 2024 4
        """)
    papers = tmp_path / "content" / "papers"
    assert ingest([capture], tmp_path / "content").new == 2
    [beta] = [p for p in papers.glob("*.md") if frontmatter.load(p)["title"] == "Lab β"]
    post = frontmatter.load(beta)
    post["title"] = "Lab beta, renamed"  # found by neither its title nor its paper id now
    del post["paper_id"]
    del post["organisation"]
    beta.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    alpha = papers / "lab.md"
    before = alpha.read_bytes()
    report = ingest([capture], tmp_path / "content")
    assert alpha.read_bytes() == before, "Lab β's capture went into Lab α's page"
    assert report.new == 0 and len(list(papers.glob("*.md"))) == 2
    assert frontmatter.load(beta)["title"] == "Lab beta, renamed" and frontmatter.load(beta)["organisation"] == "Acme Lab"


def test_a_new_paper_is_never_given_the_renamed_page_of_another_whose_long_title_starts_alike(tmp_path):
    """Titles alike in their first 80 characters share a slug cut to length; with captures of one
    file name (a browser's default), the new paper went into the other's page."""
    start = "Scaling Laws for Repetition in Large Language Models: A Systematic Study of Data Reuse Across"
    abstract = "An abstract long enough to be one, about scaling laws and the reuse of data in training."
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_capture(tmp_path / "a" / "Daily Papers.txt", f"""
        {start} Model Sizes

        {abstract}
        """)
    later = write_capture(tmp_path / "b" / "Daily Papers.txt", f"""
        {start} Tokenizers

        Another abstract long enough to be one, about tokenizers and how they change scaling laws.
        """)
    content = tmp_path / "content"
    assert ingest([first], content).new == 1
    [page] = (content / "papers").glob("*.md")
    post = frontmatter.load(page)
    post["title"] = "Scaling laws, our reading"
    del post["paper_id"]
    page.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    edited = page.read_bytes()
    report = ingest([later], content)
    assert report.new == 1 and page.read_bytes() == edited


def test_a_linked_folder_among_the_pages_is_named_by_build_check_and_ingest(tmp_path, seeds):
    """Its pages were left out of the site without a word, and ingest wrote them again at the top."""
    content = tmp_path / "content"
    ingest(seeds, content)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _miro(content).rename(elsewhere / _miro(content).name)
    (content / "papers" / "linked").symlink_to(elsewhere)
    for command in (["build", "--content", str(content), "--out", str(tmp_path / "site")],
                    ["check", "--content", str(content)], ["ingest", "--content", str(content), *map(str, seeds)]):
        result = run_cli(*command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, (command, result.stderr)
        assert f"{content / 'papers' / 'linked'}: a link to a folder among the pages is not read" in result.stderr
    assert not list((content / "papers").glob("miromind*.md")), "ingest wrote the linked page again"


def test_a_temporary_page_left_in_a_subfolder_is_removed_by_the_next_ingest(tmp_path, seeds):
    content = tmp_path / "content"
    ingest(seeds, content)
    (content / "papers" / "2025").mkdir()
    leftover = content / "papers" / "2025" / ".x.md.999999999.k2j4h1.tmp"  # no such process
    leftover.write_text("", encoding="utf-8")
    ingest(seeds, content)
    assert not leftover.exists()
