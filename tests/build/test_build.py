"""`catalogue build` as a process: errors keep the previous site, no-op and edit builds equal a fresh build."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT, SEEDS, SHIPPED_CONTENT, run_cli, write_paper

from generator.build import freshness
from generator.build.pipeline import build
from generator.build.writer import check_output
from generator.settings import load_settings


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
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("meta,problem", [
    ({}, "frontmatter has no title"),
    ({"title": "'T'", "date": "not-a-date"}, "bad date"),
    ({"title": "'T'", "upvotes": "many"}, "upvotes should be a whole number"),
    ({"title": "'T'", "slug": "'../escape'"}, "may hold only a-z"),
    ({"title": "'T'", "upvotes": "-1"}, "upvotes should be a whole number of at least 0, not -1"),
    ({"title": "'T'", "author_count": "0"}, "author_count should be a whole number of at least 1, not 0"),
    ({"title": "'T'", "organisation": "[Acme, Beta]"}, "organisation should be a name, not ['Acme', 'Beta']"),
])
def test_invalid_frontmatter_values_are_named(tmp_path, meta, problem):
    content = tmp_path / "content"
    path = content / "papers" / "p.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()) + "---\nBody\n", encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and problem in result.stderr and "p.md" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", ["kill the command", "Ctrl-C"])
def test_a_whole_build_stopped_midway_leaves_the_previous_site_whole_and_says_no_traceback(tmp_path, stop):
    content = tmp_path / "content"
    for i in range(1500):
        write_paper(content, f"paper-{i}", f"Paper number {i} on repetition", "Repetition " * 50,
                    date=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}")
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out), timeout=300).returncode == 0
    before = snapshot(out)
    (content / "papers" / "paper-0.md").write_text("---\ntitle: Changed\n---\nNew\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out),
                             "--force"], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".site.building-*/papers")):
        time.sleep(0.01)
    assert list(tmp_path.glob(".site.building-*/papers")), "the build never started writing"
    if stop == "Ctrl-C":  # a terminal sends it to the whole process group: the command and its workers
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGKILL)
    # the pipes close when the workers are gone too: none is left waiting for work
    _, said = proc.communicate(timeout=60)
    assert snapshot(out) == before
    assert "Traceback" not in said.decode() and "Error" not in said.decode(), said.decode()
    # the next build clears what the killed one left and swaps in a complete site
    assert run_cli("build", "--content", str(content), "--out", str(out), timeout=300).returncode == 0
    assert "Changed" in (out / "papers" / "paper-0" / "index.html").read_text(encoding="utf-8")
    deadline = time.monotonic() + 30  # the previous site is removed by a background process
    while [p for p in tmp_path.glob(".site.*")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


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


@pytest.mark.parametrize("target", ["content/papers/p.md", "content/topics.toml", "content/papers/site", "notes.txt"])
def test_build_refuses_an_output_that_is_a_file_or_inside_the_content_and_the_file_is_kept(tmp_path, target):
    """A page or topics.toml named as --out by mistake was swapped for the site (the page hidden
    under another name, the next build one paper short)."""
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    (content / "topics.toml").write_text('[[topic]]\nname = "Loops"\nterms = ["loop"]\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("a person's notes", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for command in ("build", "serve"):
        port = ["--port", "0"] if command == "serve" else []
        result = run_cli(command, "--content", str(content), "--out", str(tmp_path / target), *port, timeout=60)
        assert result.returncode == 1, result.stdout
        assert len(result.stderr.splitlines()) == 1 and str(tmp_path / target) in result.stderr
        assert "choose another --out" in result.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")] == []


def test_an_editors_hidden_files_beside_the_pages_are_not_pages(tmp_path):
    """Emacs locks a page it edits with `.#<page>.md`, a link to nothing; macOS copies leave
    `._<page>.md`, bytes that are not text. Each stopped build, check and serve with an error."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    papers = sorted((content / "papers").glob("*.md"))
    (content / "papers" / f".#{papers[0].name}").symlink_to("root@host.12345:1733234567")
    (content / "papers" / f"._{papers[1].name}").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 0 and "0 error(s), 0 warning(s)" in result.stderr + result.stdout, result.stderr
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert f"({len(papers)} papers" in result.stdout
    capture = next(SEEDS.glob("*.txt"))
    result = run_cli("ingest", "--content", str(content), str(capture))
    assert result.returncode == 0 and "error" not in result.stderr, result.stderr


def test_a_page_saved_with_windows_line_ends_builds_as_the_same_page(tmp_path):
    """It was refused as "frontmatter is never closed": its closing line is `---\\r`."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    page = sorted((content / "papers").glob("*.md"))[0]
    assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "unix")).returncode == 0
    page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "windows"))
    assert result.returncode == 0, result.stderr
    shown = f"papers/{page.stem}/index.html"
    assert (tmp_path / "windows" / shown).read_bytes() == (tmp_path / "unix" / shown).read_bytes()


def test_the_content_folder_given_as_the_current_folder_builds_every_paper(tmp_path):
    """`--content .` found no paper: the files were looked at as ./papers/..., the pages read from papers/."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    result = run_cli("build", "--content", ".", "--out", str(tmp_path / "site"), cwd=content)
    papers = len(list((SHIPPED_CONTENT / "papers").glob("*.md")))
    assert result.returncode == 0 and f"({papers} papers" in result.stdout, result.stderr
    again = run_cli("build", "--content", ".", "--out", str(tmp_path / "site"), cwd=content)
    assert again.stdout.startswith("nothing changed since the last build")


def test_build_ends_with_a_one_line_summary(tmp_path):
    result = run_cli("build", "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    pages = len(list(site.rglob("*.html")))
    papers = len(list((SHIPPED_CONTENT / "papers").glob("*.md")))
    topics = len([p for p in (site / "topics").iterdir() if p.is_dir()])
    assert re.fullmatch(rf"built {pages} pages \({papers} papers, {topics} topics\) into \S+ in [\d.]+s; "
                        r"search: \d+ KB, \d+ B/paper\n", result.stdout)


def test_a_content_folder_without_papers_is_an_error_and_the_site_stays(tmp_path):
    out = tmp_path / "site"
    build(load_settings(None, SHIPPED_CONTENT), out)
    before = snapshot(out)
    (tmp_path / "wrongdir").mkdir()
    result = run_cli("build", "--content", str(tmp_path / "wrongdir"), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / 'wrongdir' / 'papers'}: no papers in this content folder")
    assert snapshot(out) == before


def test_an_empty_catalogue_builds_when_asked_for(tmp_path):
    (tmp_path / "content").mkdir()
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(out), "--allow-empty")
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and (out / "search" / "manifest.json").is_file()


# --- rebuilds ----------------------------------------------------------------------------------

def test_a_rebuild_with_nothing_changed_says_so_and_touches_nothing(tmp_path):
    out = tmp_path / "site"
    first = run_cli("build", "--out", str(out))
    assert first.returncode == 0
    counts = re.match(r"built (\d+ pages) \((\d+ papers, \d+ topics)\)", first.stdout).groups()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run_cli("build", "--out", str(out))
    assert again.returncode == 0
    assert again.stdout.startswith(f"nothing changed since the last build: {out} is current ({counts[0]}, {counts[1]})")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.mark.parametrize("touched", ["a page", "the taxonomy"])
def test_a_rebuild_after_files_were_only_saved_again_says_nothing_changed_and_writes_nothing(tmp_path, touched):
    """Read again, they say what they said: the build wrote nothing, and said "built"."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    path = content / "topics.toml" if touched == "the taxonomy" else sorted((content / "papers").glob("*.md"))[3]
    time.sleep(0.01)
    path.write_bytes(path.read_bytes())
    again = run_cli("build", "--content", str(content), "--out", str(out))
    assert again.returncode == 0 and again.stdout.startswith(f"nothing changed since the last build: {out} is current")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    text = path.read_text(encoding="utf-8")  # and a real change is built
    path.write_text(text.replace('name = "Repetition in generation"', 'name = "Repetition"') if touched == "the taxonomy"
                    else text + "\nA sentence more.\n", encoding="utf-8")
    assert run_cli("build", "--content", str(content), "--out", str(out)).stdout.startswith("built ")


def test_a_rebuild_with_nothing_changed_imports_none_of_the_libraries_a_build_needs(tmp_path):
    """A no-op build is a look at the files: it loads neither YAML, Markdown, lunr, numpy nor Jinja
    (Jinja's import alone was a sixth of a no-op at 10,000 papers). Read from Python's own import log."""
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    again = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", "build", "--out", str(out)],
                           cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout.startswith("nothing changed since the last build")
    imported = {line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")}
    assert "generator.build.freshness" in imported  # the log lists what the build imported
    assert not imported & {"jinja2", "markupsafe", "yaml", "frontmatter", "markdown", "lunr", "numpy"}


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
    from generator.utils import parallel

    content = tmp_path / "content"
    for i in range(900):
        write_paper(content, f"paper-{i}", f"Paper {i} about continual learning and repetition",
                    f"Abstract {i}: reward models, retrieval and forgetting. " * 5, date=f"20{15 + i % 10}-0{1 + i % 9}-1{i % 9}")
    build(load_settings(None, content), tmp_path / "parallel")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10**9)
    build(load_settings(None, content), tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_topic_terms_match_only_at_the_start_of_a_word(tmp_path):
    from generator.catalogue.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(tmp_path)  # the shipped taxonomy
    assert "code-generation" in taxonomy.classify("Better code generation", "")
    assert "code-generation" not in taxonomy.classify("A decoder that decodes", "We decode and encode.")
    assert "retrieval-rag" in taxonomy.classify("x", "RAG helps. So does (RAG).")
    assert "retrieval-rag" not in taxonomy.classify("x", "Storage and leverage, average and coverage.")
    assert "compression-sparsity" in taxonomy.classify("N:M sparsity for transformers", "")


@pytest.mark.parametrize("walked", [10**9, 0], ids=["walking-the-trie", "the-compiled-pattern"])
def test_topic_terms_found_are_at_each_word_start_the_longest_term_starting_there(walked, monkeypatch):
    """Checked against a plain scan (every position not after a word character, every term) on the
    shipped catalogue's titles and abstracts, with words of the terms glued on to catch prefixes;
    both ways of finding them (the first texts walk the trie, the rest use the pattern)."""
    from generator.catalogue import taxonomy as taxonomies
    from generator.catalogue.reader import read_papers

    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    taxonomy = taxonomies.load_taxonomy(SHIPPED_CONTENT)  # one that has matched nothing yet
    monkeypatch.setattr(taxonomies, "WALKED_TEXTS", walked)
    terms = sorted({t.lower() for topic in taxonomy.topics for t in topic.terms}, key=len, reverse=True)

    def plain_scan(text: str) -> list[str]:
        word_starts = [at for at in range(len(text)) if not (at and (text[at - 1].isalnum() or text[at - 1] == "_"))]
        return [next(t for t in terms if text.startswith(t, at)) for at in word_starts
                if any(text.startswith(t, at) for t in terms)]

    texts = [p.title.lower() for p in papers] + [p.text.lower() for p in papers]
    texts += ["x" + " ".join(terms) + "s", "-".join(terms), "_".join(terms), "(" + ")(".join(terms) + ")"]
    found = [taxonomy.terms_in(text) for text in texts]
    assert found == [plain_scan(text) for text in texts]
    assert sum(map(len, found)) > 1000  # the texts hold terms


def test_a_taxonomy_kept_between_builds_equals_the_one_read_and_finds_the_same_terms():
    """Kept pickled without its pattern (compiled again when used): still equal to the taxonomy
    read from the same file (an edit build compares them), and it finds the same terms."""
    import pickle

    from generator.catalogue.reader import read_papers

    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    kept = pickle.loads(pickle.dumps(taxonomy))
    assert kept == taxonomy and kept._pattern is None
    assert [kept.classify(p.title, p.text) for p in papers] == [taxonomy.classify(p.title, p.text) for p in papers]
    assert [kept.terms_in(p.text) for p in papers] == [taxonomy.terms_in(p.text) for p in papers]


def test_a_long_lived_process_reusing_unchanged_papers_writes_what_a_fresh_build_writes(tmp_path):
    from generator.build.state import BuildState

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


def test_the_next_build_command_reuses_unchanged_papers_and_writes_what_a_fresh_build_writes(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    from generator.build.freshness import private_cache_dir
    from generator.build.state import BuildState

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


def test_the_kept_state_stays_its_size_when_every_page_is_read_again(tmp_path):
    """Papers read together share their terms while they are read; a paper kept for the next build
    keeps only its own data (it once kept its whole share's terms: 2.4 MB grew to 58 MB)."""
    import os

    from generator.build.freshness import private_cache_dir
    from generator.build.state import BuildState

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)

    def kept_bytes() -> int:
        cache = private_cache_dir(out)
        BuildState.load(cache / "state.pickle", freshness.code_signature())  # waits for the state to be saved
        return sum(path.stat().st_size for path in cache.glob("state.pickle*"))

    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    first = kept_bytes()
    for page in (content / "papers").glob("*.md"):  # read again, the same words
        os.utime(page, ns=(page.stat().st_mtime_ns + 10**9,) * 2)
    assert run_cli("build", "--content", str(content), "--out", str(out)).returncode == 0
    assert kept_bytes() < 1.1 * first


def test_a_cache_that_cannot_be_read_is_ignored(tmp_path):
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    from generator.build.freshness import private_cache_dir

    private_cache_dir(tmp_path / "site").mkdir(parents=True)
    (private_cache_dir(tmp_path / "site") / "state.pickle").write_bytes(b"not a pickle")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "papers" / "p" / "index.html").is_file()


def _kept_pack(out: Path) -> Path:
    from benchmarks.run import state_saved
    from generator.build.freshness import private_cache_dir

    state_saved(out)  # saved in the background
    [pack] = private_cache_dir(out).glob("state.pickle.*.pack")
    return pack


def test_a_kept_state_whose_pack_was_zeroed_by_a_crash_builds_again_without_it(tmp_path):
    """The pack of zeros a crash can leave behind a renamed pickle failed every build, --force too."""
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    assert run_cli("build", "--content", str(content), "--out", str(site)).returncode == 0
    pack = _kept_pack(site)
    pack.write_bytes(bytes(pack.stat().st_size))
    _edit(_papers(content)[40], "\n\n", "\n\nZyxwvut quasiparticles abound. ")
    result = run_cli("build", "--content", str(content), "--out", str(site))
    assert result.returncode == 0, result.stderr
    assert "building again without it" in result.stderr
    assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "fresh")).returncode == 0
    assert snapshot(site) == snapshot(tmp_path / "fresh")


def test_force_trusts_nothing_a_build_kept(tmp_path):
    """--force is the way out of a kept state that is wrong in any way: it builds as a first build,
    reading nothing kept (a pack of zeros is never even opened, so nothing fails and is retried)."""
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    assert run_cli("build", "--content", str(content), "--out", str(site)).returncode == 0
    pack = _kept_pack(site)
    pack.write_bytes(bytes(pack.stat().st_size))
    result = run_cli("build", "--content", str(content), "--out", str(site), "--force")
    assert result.returncode == 0 and "building again" not in result.stderr, result.stderr
    assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "fresh")).returncode == 0
    assert snapshot(site) == snapshot(tmp_path / "fresh")


@pytest.mark.parametrize("record", ["[]", "null", '"x"', '{"inputs": 1, "result": []}'])
def test_a_build_record_that_is_not_ours_is_as_good_as_none(tmp_path, record):
    from generator.build.freshness import cache_dir

    content, site = tmp_path / "content", tmp_path / "site"
    write_paper(content, "p", "A Paper")
    assert run_cli("build", "--content", str(content), "--out", str(site)).returncode == 0
    (cache_dir(site) / "build.json").write_text(record, encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "papers" / "p" / "index.html").is_file()


# --- builds that write only what changed --------------------------------------------------------

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _papers(content: Path) -> list[Path]:
    return sorted((content / "papers").glob("*.md"))


def _place(content: Path) -> None:
    """Give a paper in the catch-all the words of one its neighbours placed (no term's words, then):
    the two are now each other's closest, and either may land elsewhere, the placed one (whose
    page is not touched) too."""
    from generator.catalogue.groups import index_catalogue
    from generator.catalogue.reader import read_papers

    taxonomy, papers, _ = read_papers(content)
    catalogue = index_catalogue(papers, taxonomy)
    placed = next(p for p in catalogue.papers if p.slug in catalogue.placed)
    far = next(p for p in catalogue.papers if p.topics_by == "none" and p.slug not in catalogue.placed)
    Path(far.source).write_text(Path(far.source).read_text(encoding="utf-8") + f"\n{placed.text}\n", encoding="utf-8")
    taxonomy, papers, _ = read_papers(content)
    after = index_catalogue(papers, taxonomy)
    assert after.placed.get(placed.slug) != catalogue.placed[placed.slug], "a paper not edited lands elsewhere"


EDITS = {
    "abstract: new words, words gone": lambda c: _edit(_papers(c)[40], "\n\n", "\n\nZyxwvut quasiparticles abound. "),
    "title": lambda c: _edit(_papers(c)[3], "Token Pruning in", "Token Trimming in"),
    "the newest paper's words (lunr numbers its terms first)":
        lambda c: _edit(c / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via.md",
                        "\n\n", "\n\nQwertyuiop frobnication. "),
    "upvotes only": lambda c: _edit(c / "papers" / "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via.md",
                                    "upvotes: 3", "upvotes: 300"),
    "topics chosen by hand": lambda c: _edit(_papers(c)[7], "title: ", "topics: [bandits]\ntitle: "),
    "a title that moves the paper among the papers of its day":
        lambda c: _edit(c / "papers" / "gere-towards-efficient-anti-forgetting-in-continual-learning-of-llm-via-general.md",
                        "title: 'GeRe:", "title: 'A GeRe:"),
    "a title with words that change other papers' related lists, not topics":
        lambda c: _edit(c / "papers" / "deal-decoding-time-alignment-for-large-language-models.md",
                        "for Large Language Models'", "for Large Language Models with Read Revise Repeat'"),
    "date (the paper moves)": lambda c: _edit(c / "papers" / "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context.md",
                                              "date: 2025-07-19", "date: 2019-03-01"),
    "an organisation respelled (its name on every page changes, no paper moves)":
        lambda c: _edit(next(p for p in _papers(c) if "organisation: NVIDIA" in p.read_text(encoding="utf-8")),
                        "organisation: NVIDIA", "organisation: Nvidia"),
    "a paper removed": lambda c: _papers(c)[11].unlink(),
    "a paper made a draft": lambda c: _edit(_papers(c)[12], "title: ", "draft: true\ntitle: "),
    "a paper added": lambda c: write_paper(c, "a-new-paper", "A New Paper on Loops", "Loops and more loops, newly.",
                                           date="2025-11-01"),
    "words that give a paper its neighbours' topic": _place,
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


@pytest.mark.parametrize("edit,reused", [(None, True), ("abstract: new words, words gone", True),
                                         ("words that give a paper its neighbours' topic", False),
                                         ("a paper removed", False)])
def test_a_build_that_writes_the_site_whole_again_reuses_the_last_closest_papers_and_equals_a_fresh_build(
        tmp_path, monkeypatch, edit, reused):
    """--force, or new templates or settings, write every page again, but the papers' closest papers
    (the bulk of a whole build's catalogue step) are taken from the last build where their words
    are as they were; worked out whole only when the papers are not the same ones, or an edit
    moves the weight of terms in many of them (the words of a whole abstract added to another)."""
    from generator.build.state import BuildState
    from generator.catalogue.nearness import Nearness

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    if edit is not None:
        EDITS[edit](content)
    worked_out_whole = []
    whole = Nearness.build.__func__
    monkeypatch.setattr(Nearness, "build", classmethod(lambda cls, papers: worked_out_whole.append(len(papers))
                                                        or whole(cls, papers)))
    build(load_settings(None, content), kept, state=state, force=True)
    monkeypatch.undo()
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")
    assert worked_out_whole == ([] if reused else [len(list((content / "papers").glob("*.md")))])


@pytest.mark.parametrize("blocks", ["long entries only", "every entry in blocks of 4", "a head for every shard"])
def test_edits_one_after_another_in_one_process_give_what_a_fresh_build_gives(tmp_path, monkeypatch, blocks):
    from generator.build.state import BuildState
    from generator.search import shards as search_shards

    if blocks == "every entry in blocks of 4":  # the shipped catalogue has no entry long enough to be kept in blocks
        monkeypatch.setattr(search_shards, "LONG", 0)
        monkeypatch.setattr(search_shards, "BLOCK", 4)
    if blocks == "a head for every shard":  # nor one common enough to have a head (search/heads/)
        monkeypatch.setattr(search_shards, "HEAD_BYTES", 0)
        monkeypatch.setattr(search_shards, "HEAD", 12)
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


PLANNED_WHOLE = {"abstract: new words, words gone": False, "upvotes only": True, "title": True,
                 "a title that moves the paper among the papers of its day": True,
                 "a title with words that change other papers' related lists, not topics": False,  # it keeps its place
                 "date (the paper moves)": True, "topics chosen by hand": True, "a paper added": True,
                 "words that give a paper its neighbours' topic": True}


@pytest.mark.parametrize("edit", list(PLANNED_WHOLE))
def test_only_an_edit_that_moves_a_paper_plans_the_whole_site_again(tmp_path, monkeypatch, edit):
    """Retitled out of its place, redated, retopiced, added: lists and neighbours change. Otherwise
    the last plan holds (a title that keeps the paper's place too), and only the pages that showed
    the edited paper are rendered again."""
    from generator.build import incremental
    from generator.build.state import BuildState

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    before = {p: p.stat().st_ino for p in kept.rglob("*.html")}
    planned = []
    real = incremental.plan_whole
    monkeypatch.setattr(incremental, "plan_whole", lambda *a: planned.append(1) or real(*a))
    EDITS[edit](content)
    build(load_settings(None, content), kept, state=state)
    assert bool(planned) == PLANNED_WHOLE[edit]
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")
    rewritten = [p for p in before if p.exists() and p.stat().st_ino != before[p]]
    assert 0 < len(rewritten) < (len(before) if PLANNED_WHOLE[edit] else len(before) // 4), len(rewritten)


def _saved_and_loaded(state, folder: Path):
    """The state as the next `catalogue build` process finds it: saved to disk, then loaded."""
    from generator.build.state import BuildState

    state.save(folder / "state.pickle", freshness.code_signature())
    return BuildState.load(folder / "state.pickle", freshness.code_signature())


def _mapped(array) -> bool:
    """Is the array a view of a mapped file (rather than of bytes read from one)?"""
    import mmap

    base = array
    while getattr(base, "base", None) is not None:
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def test_a_saved_state_maps_its_large_arrays_from_its_pack_and_an_edit_after_loading_it_builds_the_same_site(
        tmp_path):
    """The nearness's arrays (tens of megabytes at 10,000 papers, mostly read by an edit in one
    pass) are views of the mapped pack file: loading the state does not copy them."""
    import numpy as np

    from generator.build.state import ARRAY_BYTES, BuildState

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    loaded = _saved_and_loaded(state, tmp_path / "cache")
    before, after = state.plan.catalogue.nearness, loaded.plan.catalogue.nearness
    pairs = list(zip([*before.bags, *before.vectors], [*after.bags, *after.vectors]))
    for old, new in pairs:
        assert np.array_equal(old, new) and old.dtype == new.dtype
    large = [new for _, new in pairs if new.nbytes >= ARRAY_BYTES]
    assert large and all(map(_mapped, large)), "views of the mapped pack, not copies"
    EDITS["abstract: new words, words gone"](content)
    build(load_settings(None, content), kept, state=loaded)
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")


def test_an_edit_that_moves_no_paper_draws_no_chart_and_sorts_no_list_by_upvotes_again(tmp_path, monkeypatch):
    """What planning works out from a list is kept with the catalogue (and the saved state): an
    edit that moves no paper leaves every list as it was."""
    from generator.build.state import BuildState
    from generator.catalogue import groups
    from generator.site import routes

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    loaded = _saved_and_loaded(state, tmp_path / "cache")
    worked_out = []
    real_chart, real_ranked = routes.papers_per_month, groups.most_upvoted
    monkeypatch.setattr(routes, "papers_per_month", lambda *a: worked_out.append("chart") or real_chart(*a))
    monkeypatch.setattr(groups, "most_upvoted", lambda *a: worked_out.append("ranked") or real_ranked(*a))
    EDITS["a title with words that change other papers' related lists, not topics"](content)
    build(load_settings(None, content), kept, state=loaded)
    assert worked_out == []
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")


def test_a_retitled_paper_that_moves_among_its_days_papers_updates_the_search_index_in_place(tmp_path, monkeypatch):
    """The index is positional: the two ordinals that swapped papers take each other's words, and
    the index is not built whole again (at 10,000 papers that is most of such an edit's cost)."""
    from generator.build.state import BuildState
    from generator.search import shards as search_shards

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    slugs = [p.slug for p in state.order]
    whole = []
    real = search_shards.ShardedIndex.build
    monkeypatch.setattr(search_shards.ShardedIndex, "build", lambda *a: whole.append(1) or real(*a))
    EDITS["a title that moves the paper among the papers of its day"](content)
    build(load_settings(None, content), kept, state=state)
    moved = [i for i, p in enumerate(state.order) if p.slug != slugs[i]]
    assert len(moved) == 2 and not whole
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")


def test_a_paper_its_neighbours_move_to_another_topic_updates_the_search_index_in_place(tmp_path, monkeypatch):
    """Its page is not read again, yet its topics (a field of the index, and of its result) change:
    its entries are updated, and the index is not built whole again (at 10,000 papers that was
    most of such an edit's cost)."""
    from generator.build.state import BuildState
    from generator.search import shards as search_shards

    content, kept = tmp_path / "content", tmp_path / "kept"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), kept, state=state)
    whole = []
    real = search_shards.ShardedIndex.build
    monkeypatch.setattr(search_shards.ShardedIndex, "build", lambda *a: whole.append(1) or real(*a))
    EDITS["words that give a paper its neighbours' topic"](content)
    build(load_settings(None, content), kept, state=state)
    assert not whole
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(kept) == snapshot(tmp_path / "fresh")


def test_a_page_failing_to_render_in_an_edit_build_leaves_the_site_as_it_was(tmp_path, monkeypatch):
    from generator.build.state import BuildState
    from generator.errors import CatalogueError

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    state = BuildState()
    build(load_settings(None, content), out, state=state)
    before = snapshot(out)
    EDITS["abstract: new words, words gone"](content)
    from generator.site import render as render_module
    real = render_module.render

    def failing(env, template, context):
        if template == "list.html":
            raise CatalogueError("cannot render", Path("list.html"), 1)
        return real(env, template, context)

    monkeypatch.setattr(render_module, "render", failing)
    with pytest.raises(CatalogueError):
        build(load_settings(None, content), out, state=state)
    assert snapshot(out) == before
    monkeypatch.setattr(render_module, "render", real)
    build(load_settings(None, content), out, state=state)
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(out) == snapshot(tmp_path / "fresh")


def test_an_edit_build_stopped_while_writing_leaves_whole_files_and_the_next_build_completes_it(tmp_path, monkeypatch):
    from generator.build import writer as build_module

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


def test_a_site_folder_that_is_a_mount_point_is_built_into_in_place(tmp_path, monkeypatch):
    """A container's volume cannot be renamed (EBUSY), nor a file renamed into it from beside it
    (EXDEV): every build failed and left a whole site beside it. The mount is pretended here
    (`os.path.ismount`); the stage then lives inside the folder, and nothing of it stays."""
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    site.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == site or real(path))
    build(load_settings(None, content), site)
    _edit(_papers(content)[3], "Token Pruning in", "Token Trimming in")
    build(load_settings(None, content), site)
    build(load_settings(None, content), site, force=True)
    monkeypatch.undo()
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(site) == snapshot(tmp_path / "fresh")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == []


def test_a_fresh_volume_with_its_lost_and_found_is_a_site_folder_and_keeps_it(tmp_path, monkeypatch):
    """A new ext4 volume holds `lost+found`: it was "not empty and not a site", so no build could start."""
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    (site / "lost+found").mkdir(parents=True)
    (site / "lost+found" / "#12").write_text("a recovered block", encoding="utf-8")
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == site or real(path))
    # (in another process, where it is no mount point, such a folder is refused: it is not a volume)
    assert run_cli("build", "--content", str(content), "--out", str(site)).returncode == 1
    (tmp_path / "link").symlink_to(site)
    check_output(tmp_path / "link", load_settings(None, content))  # as `serve --out link` checks it: no error
    build(load_settings(None, content), site)
    build(load_settings(None, content), site, force=True)
    assert (site / "lost+found" / "#12").read_text(encoding="utf-8") == "a recovered block"
    shutil.rmtree(site / "lost+found")
    monkeypatch.undo()
    build(load_settings(None, content), tmp_path / "fresh")
    assert snapshot(site) == snapshot(tmp_path / "fresh")


def test_a_cache_folder_that_cannot_be_written_costs_speed_not_the_build(tmp_path, monkeypatch):
    """What a build keeps (state, record, set-aside arrays) only makes the next one quicker: with
    XDG_CACHE_HOME naming a file, every build failed with "unexpected NotADirectoryError"."""
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    for _ in range(2):
        result = run_cli("build", "--content", str(SHIPPED_CONTENT), "--out", str(tmp_path / "site"))
        assert result.returncode == 0 and "unexpected" not in result.stderr, result.stderr
        assert "cannot keep this build's state there (Not a directory); the next build is a whole one" in result.stderr
        assert "built 237 pages" in result.stdout
    monkeypatch.undo()
    build(load_settings(None, SHIPPED_CONTENT), tmp_path / "fresh")
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "fresh")


def test_an_output_that_is_a_link_to_a_folder_gets_the_site_where_it_points(tmp_path):
    """`--out out`, a link to a web root: the link was swapped for a folder and the web root stayed empty."""
    content = tmp_path / "content"
    write_paper(content, "p", "A Paper")
    root = tmp_path / "www" / "html"
    root.mkdir(parents=True)
    (tmp_path / "out").symlink_to(root)
    for _ in range(2):  # a first build, then one that finds it as it left it
        assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "out")).returncode == 0
    assert (tmp_path / "out").is_symlink() and (root / "papers" / "p" / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_hand_topic_respelled_so_its_name_changes_gives_what_a_fresh_build_gives(tmp_path):
    """A topic's name is its commonest spelling: respelling one page's can rename it on every page
    that shows it, pages not edited too."""
    content, kept, fresh = tmp_path / "content", tmp_path / "kept", tmp_path / "fresh"
    shutil.copytree(SHIPPED_CONTENT, content)
    for page, spelling in zip(_papers(content)[20:23], ["Zebra Topic", "Zebra Topic", "'zebra topic!'"]):
        _edit(page, "title: ", f"topics: [{spelling}]\ntitle: ")
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    assert "<h1>Zebra Topic</h1>" in (kept / "topics" / "zebra-topic" / "index.html").read_text(encoding="utf-8")
    _edit(_papers(content)[21], "topics: [Zebra Topic]", "topics: ['zebra topic!']")
    assert run_cli("build", "--content", str(content), "--out", str(kept)).returncode == 0
    assert run_cli("build", "--content", str(content), "--out", str(fresh)).returncode == 0
    assert snapshot(kept) == snapshot(fresh)
    assert "<h1>zebra topic!</h1>" in (kept / "topics" / "zebra-topic" / "index.html").read_text(encoding="utf-8")


def test_a_kept_pack_overwritten_with_other_bytes_is_noticed_and_the_build_is_made_without_it(tmp_path):
    """Arrays read from other bytes gave numpy numbers no build makes (printed as RuntimeWarnings,
    even under --quiet) and related lists that were wrong, kept by every later build."""
    import random

    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    assert run_cli("build", "--content", str(content), "--out", str(site)).returncode == 0
    pack = _kept_pack(site)
    data = bytearray(pack.read_bytes())
    cut = len(data) * 6 // 10
    data[cut:] = random.Random(0).randbytes(len(data) - cut)
    pack.write_bytes(bytes(data))
    _edit(_papers(content)[40], "\n\n", "\n\nZyxwvut quasiparticles abound. ")
    result = run_cli("build", "--content", str(content), "--out", str(site), "--quiet")
    assert result.returncode == 0 and "Warning" not in result.stderr, result.stderr
    assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "fresh")).returncode == 0
    assert snapshot(site) == snapshot(tmp_path / "fresh")
