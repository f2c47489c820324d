"""`catalogue check`: every problem a build or a publisher would meet, one line each, nothing written."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import SHIPPED_CONTENT, run_cli, write_paper

LINE = re.compile(r"^(error|warning): (\S+?):(\d+): .+$")


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, folder)
    return folder


def findings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(("error:", "warning:"))]


def checked_for(content, tmp_path, base_url: str) -> list[str]:
    """The findings of `check` for a site published at `base_url`."""
    config = tmp_path / "catalogue.toml"
    config.write_text(f'base_url = "{base_url}"\n', encoding="utf-8")
    return findings(run_cli("check", "--content", str(content), "--config", str(config)))


def test_the_shipped_catalogue_checks_clean_and_nothing_is_written(content, tmp_path):
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 0, result.stderr
    assert [line for line in findings(result) if line.startswith("error:")] == []
    assert re.search(r"checked \S+: 0 error\(s\), \d+ warning\(s\)", result.stderr)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


BROKEN = {
    "a month 13": ("date: 2024-13-45", "2024-13-45 is not a real date"),
    "a 30 February": ("date: 2024-02-30", "2024-02-30 is not a real date"),
    "topics as a number": ("topics: 5", "topics must be a list"),
    "upvotes as words": ("upvotes: many", "upvotes should be a whole number"),
    "sources as a number": ("sources: 5", "sources should be a list of names"),
    "draft as a word": ("draft: maybe", "draft should be true or false"),
    "a slug with a slash": ("slug: ../../etc", "slug '../../etc' may hold only"),
}


def test_every_broken_page_is_one_line_naming_file_and_line_and_the_check_fails(content):
    pages = sorted((content / "papers").glob("*.md"))
    expected = {}
    for page, (name, (line, message)) in zip(pages, BROKEN.items()):
        key, text, dropping = line.split(":")[0], [], False
        for row in page.read_text(encoding="utf-8").split("\n"):  # the key and its value's lines go
            dropping = row.startswith(f"{key}:") or (dropping and row.startswith(("- ", "  ")))
            if not dropping:
                text.append(row)
        at = text.index("---", 1)  # last in the frontmatter
        text.insert(at, line)
        page.write_text("\n".join(text), encoding="utf-8")
        expected[page.name] = (message, str(at + 1))
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in findings(result) if line.startswith("error:")]
    assert len(errors) == len(BROKEN), errors
    for line in errors:
        match = LINE.match(line)
        assert match, line
        name = match.group(2).rsplit("/", 1)[-1]
        assert expected[name][0] in line and match.group(3) == expected[name][1], line


def test_every_page_that_cannot_be_opened_is_named_beside_every_broken_one(content):
    """Two links to nothing and a page of broken YAML: check named the first link only."""
    (content / "papers" / "d1.md").symlink_to(content / "nowhere-1")
    (content / "papers" / "d2.md").symlink_to(content / "nowhere-2")
    (content / "papers" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    named = sorted(line.split(":")[1].rsplit("/", 1)[-1] for line in findings(result) if line.startswith("error:"))
    assert named == ["broken.md", "d1.md", "d2.md"], findings(result)


def test_duplicate_slugs_are_errors_and_duplicate_titles_warnings(content):
    first = sorted((content / "papers").glob("*.md"))[0]
    copy = content / "papers" / "zz-copy.md"
    copy.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("check", "--content", str(content))
    lines = findings(result)
    assert any(line.startswith(f"error: {copy}:") and "is already used by " + first.name in line for line in lines)
    assert any(line.startswith(f"warning: {copy}:") and "the same title as " + first.name in line for line in lines)


def test_an_unknown_key_is_a_warning_with_a_suggestion(content):
    write_paper(content, "typo", "A Paper With A Typo", topic="[Repetition]", reading_group="2025-11-03")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 0
    lines = findings(result)
    path = content / "papers" / "typo.md"
    assert f"warning: {path}:3: unknown key 'topic': did you mean 'topics'? kept in the page, shown nowhere" in lines
    assert f"warning: {path}:4: unknown key 'reading_group': kept in the page, shown nowhere" in lines


def test_links_in_a_page_to_pages_the_site_lacks_are_named(content):
    target = sorted((content / "papers").glob("*.md"))[0].stem
    write_paper(content, "links", "A Paper With Links",
                f"See [a real one](../{target}/), [the topics](../../topics/), [a gone one](../no-such-paper/), "
                "[search](/search/), [a missing file](../../static/nope.css) and [elsewhere](https://example.org/).")
    result = run_cli("check", "--content", str(content))
    dead = [line for line in findings(result) if "leads to no page" in line]
    assert sorted(re.search(r"link '([^']+)'", line).group(1) for line in dead) == \
        ["../../static/nope.css", "../no-such-paper/"]
    page = content / "papers" / "links.md"
    line = page.read_text(encoding="utf-8").split("\n").index(next(r for r in page.read_text().split("\n") if "See [" in r)) + 1
    assert all(row.startswith(f"warning: {page}:{line}:") for row in dead)


def test_an_image_and_a_whole_address_of_the_site_itself_that_lead_nowhere_are_named(content, tmp_path):
    """`![fig](fig1.png)` and `https://lab.example.org/papers/papers/no-such-paper/` passed check, dead once published."""
    target = sorted((content / "papers").glob("*.md"))[0].stem
    write_paper(content, "figures", "A Paper With Figures",
                "Figure: ![fig](fig1.png), [gone](https://lab.example.org/papers/papers/no-such-paper/), "
                f"[there](https://lab.example.org/papers/papers/{target}/), [other](https://lab.example.org/blog/).")
    dead = [line for line in checked_for(content, tmp_path, "https://lab.example.org/papers/")
            if "leads to no page" in line]
    assert sorted(re.search(r"(image|link) '([^']+)'", line).groups() for line in dead) == \
        [("image", "fig1.png"), ("link", "https://lab.example.org/papers/papers/no-such-paper/")]


def test_links_to_pages_and_files_the_site_has_are_never_named_however_written(content, tmp_path):
    """`../../` (home), `index.html`, a page's folder with its file, lunr.js, and a base_url written
    percent-encoded: each was "a link that leads to no page" (and `build --strict` built nothing)."""
    target = sorted((content / "papers").glob("*.md"))[0].stem
    write_paper(content, "fine", "A Paper With Good Links",
                f"[home](../../) [this](index.html) [x](../{target}/index.html) [lunr](../../static/lunr/lunr.min.js) "
                f"[whole](https://lab.example.org/my%20papers/papers/{target}/) [gone](https://lab.example.org/my%20papers/nope/) "
                "[root](/my%20papers/topics/) [gone too](/my%20papers/nope3/)")
    dead = [line for line in checked_for(content, tmp_path, "https://lab.example.org/my%20papers/")
            if "fine.md" in line]
    assert sorted(re.search(r"link '([^']+)'", line).group(1) for line in dead) == \
        ["/my%20papers/nope3/", "https://lab.example.org/my%20papers/nope/"], dead


def test_a_link_written_from_the_hosts_root_is_named_when_the_site_is_published_under_a_sub_path(content, tmp_path):
    """`/papers/x/` passed check and, under https://example.org/lab/papers/, led out of the site (404)."""
    target = sorted((content / "papers").glob("*.md"))[0].stem
    write_paper(content, "links", "A Paper With Links",
                f"See [x](/papers/{target}/), [t](/topics/retrieval-rag/), [s](/search/?q=memory), "
                "[ours](/lab/papers/topics/), [h](/elsewhere/).")
    leaving = [line for line in checked_for(content, tmp_path, "https://example.org/lab/papers/")
               if "leaves the site" in line]
    assert [re.search(r"\((\S+)\)$", line).group(1) for line in leaving] == \
        [f"../{target}/", "../../topics/retrieval-rag/", "../../search/"]
    assert all("published under /lab/papers/: write it relative to the page" in line for line in leaving)
    assert not [line for line in checked_for(content, tmp_path, "https://example.org/")  # at the host's root they work
                if "leaves the site" in line]


def test_strict_fails_on_warnings_and_a_strict_build_writes_nothing(content, tmp_path):
    write_paper(content, "typo", "A Paper With A Typo", topic="[Repetition]")
    assert run_cli("check", "--content", str(content), "--strict").returncode == 1
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"), "--strict")
    assert result.returncode == 1 and "nothing built" in result.stderr
    assert not (tmp_path / "site").exists()


TAXONOMY_MISTAKES = {  # what a person may get wrong in topics.toml: (old, new), what the error says, its line
    "[[topics]] for [[topic]]": (("[[topic]]", "[[topics]]"), "unknown key 'topics' (did you mean 'topic'?)", 16),
    "term for terms": (("\nterms = [", "\nterm = [", 1), "topic #1: unknown key 'term' (did you mean 'terms'?)", 20),
    "the catch-all given a topic's slug": (('slug = "other"', 'slug = "repetition"'),
                                           "catch_all: slug 'repetition' is also topic #1's", 14),
    "a yes for a number": (("min_abstract_hits = 2", "min_abstract_hits = true"),
                           "min_abstract_hits must be a whole number of at least 1", 13),
    # each named no line, or the line of the first key of that name anywhere in the file
    "a slug used twice": (('slug = "continual-learning"', 'slug = "repetition"'),
                          "topic #2: slug 'repetition' used twice (topic #1 has it)", 23),
    "a topic without a name": (('name = "Repetition in generation"\n', ""), "topic #1: needs a name", 16),
    "a term that is not a word": (('terms = ["repetition problem", ', "terms = [5, "),
                                  "topic #1: terms must be a list of words", 20),
    "a taxonomy key inside a topic": (('slug = "continual-learning"\n', 'slug = "continual-learning"\nmin_abstract_hits = 1\n'),
                                      "topic #2: unknown key 'min_abstract_hits' (known: description, name, slug, terms)", 24),
}


@pytest.mark.parametrize("mistake", list(TAXONOMY_MISTAKES))
def test_a_mistake_in_the_taxonomy_is_one_line_naming_its_line_and_nothing_is_built(content, tmp_path, mistake):
    """Each was ignored: a catalogue with no topic, a topic without its terms, a topic's page
    taken by the catch-all's, all with 0 errors."""
    replace, message, line = TAXONOMY_MISTAKES[mistake]
    taxonomy = content / "topics.toml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace(*replace), encoding="utf-8")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1
    assert [f for f in findings(result) if f.startswith("error:")] == [f"error: {taxonomy}:{line}: {message}"]
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and result.stderr == f"error: {taxonomy}:{line}: {message}\n"
    assert not (tmp_path / "site").exists()


def test_a_taxonomy_that_is_a_folder_is_an_error_not_the_default_taxonomy(content, tmp_path):
    taxonomy = content / "topics.toml"
    taxonomy.unlink()
    taxonomy.mkdir()
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and result.stderr == f"error: {taxonomy}: the taxonomy is not a file (a folder?)\n"


def test_settings_and_taxonomy_saved_with_a_byte_order_mark_are_read(content, tmp_path):
    for path, text in ((content / "topics.toml", None), (tmp_path / "catalogue.toml", 'title = "Our papers"\n')):
        path.write_text("\ufeff" + (text or path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--config", str(tmp_path / "catalogue.toml"),
                     "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "<title>Our papers</title>" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "site" / "topics" / "repetition" / "index.html").exists()


REFUSED = {
    "no content folder": lambda root: root / "nope",
    "no papers": lambda root: (root / "empty" / "papers").mkdir(parents=True) or root / "empty",
    "a template that does not compile": lambda root: _with_template(
        root, "home.html", "{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}"),
    "a template naming what no page has": lambda root: _with_template(
        root, "paper.html", "{% extends 'base.html' %}{% block main %}\n{{ paper.no_such_field }}{% endblock %}"),
}


def _with_template(root, name: str, text: str):
    content = root / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    (root / "ours").mkdir()
    (root / "ours" / name).write_text(text, encoding="utf-8")
    (root / "catalogue.toml").write_text('templates = "ours"\n', encoding="utf-8")
    return content


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_a_build_refuses_the_check_refuses_with_the_same_line(tmp_path, case):
    """`check` passed each of these and the build after it failed: in the publishing workflow, the
    check step was green and the build step red."""
    content = REFUSED[case](tmp_path)
    config = ["--config", str(tmp_path / "catalogue.toml")] if (tmp_path / "catalogue.toml").exists() else []
    checked = run_cli("check", "--content", str(content), *config)
    built = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"), *config)
    assert built.returncode == 1 and checked.returncode == 1, (checked.stderr, built.stderr)
    [refused] = [line for line in built.stderr.splitlines() if line.startswith("error: ")]
    where = refused.split(": ")[1]  # the file, and its line where there is one
    assert len(findings(checked)) == 1 and findings(checked)[0].startswith(f"error: {where}: "), (checked.stderr, refused)
    assert not (tmp_path / "site").exists()


def test_a_strict_build_of_an_empty_catalogue_asked_for_is_not_refused_by_its_check(tmp_path):
    (tmp_path / "empty" / "papers").mkdir(parents=True)
    result = run_cli("build", "--content", str(tmp_path / "empty"), "--out", str(tmp_path / "site"), "--strict",
                     "--allow-empty")
    assert result.returncode == 0, result.stderr


def test_a_slug_used_twice_across_subfolders_names_the_other_page_by_its_folder(content):
    """"slug 'x' is already used by x.md", said of x.md: the other page was in papers/2025/."""
    page = sorted((content / "papers").glob("*.md"))[0]
    (content / "papers" / "2025").mkdir()
    shutil.copy(page, content / "papers" / "2025" / page.name)
    result = run_cli("check", "--content", str(content))
    assert any(line.startswith(f"error: {page}:") and f"is already used by 2025/{page.name}" in line
               for line in findings(result)), findings(result)
