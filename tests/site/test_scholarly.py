"""A paper page a researcher can use: links to the paper, authors, a Cite block and .bib files that real
BibTeX tools read, and a page head Google Scholar, Zotero and link previews understand."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import bibtexparser
import pytest
from conftest import SHIPPED_CONTENT, run_cli, write_paper
from pybtex.database import parse_string as pybtex_parse

from generator.build.pipeline import build
from generator.settings import load_settings

REPETITION = "learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text"
UNDATED = "cacheblend-fast-large-language-model-serving-for-rag-with-cached-knowledge"  # no capture dates it
BASE = "https://lab.example.org/papers/"
ATOM = "{http://www.w3.org/2005/Atom}"


def _add(page, **fields):
    lines = page.read_text(encoding="utf-8").split("\n")
    at = lines.index("---", 1)
    for key, value in fields.items():
        lines.insert(at, f"{key}: {value}")
        at += 1
    page.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("scholarly")
    content = root / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    _add(content / "papers" / f"{REPETITION}.md", authors="[Jin Xu, Xiaojiang Liu, 'Jianhao Yan', Deng Cai]",
         arxiv="https://arxiv.org/abs/2206.02369v2", code="https://github.com/Jxu-Thu/DITTO",
         doi="10.48550/arXiv.2206.02369")
    _add(content / "papers" / f"{UNDATED}.md", arxiv="arXiv:2405.16444")
    write_paper(content, "special", "50% of C# & the_loop: {braces}, $5 ~ ^x \\ back and Ünïcödé",
                authors="[Zoë Çelik, 'O''Brien, Ann']", arxiv="cs/0112017", doi="10.1007/978-3-030-58452-8_13")
    write_paper(content, "lone-brace", "A } first, sets {0,1} and a lone { brace", date="2024-03-01",
                authors="['Guy L. Steele Jr.', 'Müller, Hans']")
    build(load_settings(None, content, base_url=BASE), root / "site")
    return root / "site"


def _page(site, slug):
    return (site / "papers" / slug / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("pasted", ["2206.02369", "2206.02369v2", "arXiv:2206.02369", "https://arxiv.org/abs/2206.02369",
                                    "https://arxiv.org/pdf/2206.02369v1.pdf", "http://arxiv.org/abs/2206.02369/"])
def test_an_arxiv_id_in_any_pasted_form_links_the_abstract_the_pdf_and_hugging_face(pasted):
    from generator.catalogue.scholarly import normalise_arxiv

    assert normalise_arxiv(pasted) == ("2206.02369", None, (2022, 6))


@pytest.mark.parametrize("written,read", [
    ("2206.02360", "2206.02360"),   # YAML reads the number 2206.0236
    ("2401.10000", "2401.10000"),   # the number 2401.1
    ("0704.0001", "0704.0001"),     # the number 704.0001
    ("2206.02369  # from the abstract page", "2206.02369"),
])
def test_an_arxiv_id_written_without_quotes_is_read_as_written_not_as_a_number(tmp_path, written, read):
    import frontmatter

    from generator.catalogue.scholarly import read_scholarly

    page = tmp_path / "p.md"
    page.write_text(f"---\ntitle: A paper\narxiv: {written}\n---\nText.\n", encoding="utf-8")
    meta = frontmatter.load(page).metadata
    assert not isinstance(meta["arxiv"], str), "YAML does read it as a number"
    assert read_scholarly(meta, page).arxiv == read


@pytest.mark.parametrize("cited", ["arXiv:2206.02369 [cs.CL]", "arXiv:2206.02369v2 [cs.CL]"])
def test_arxivs_own_cite_as_line_is_an_arxiv_id(cited):
    from generator.catalogue.scholarly import normalise_arxiv

    assert normalise_arxiv(cited) == ("2206.02369", None, (2022, 6))
    assert normalise_arxiv("arXiv:hep-th/9901001 [hep-th]")[:2] == ("hep-th/9901001", "hep-th")


@pytest.mark.parametrize("number", ["2206.0236", "1501.0001", "1412.12345"])
def test_an_arxiv_number_with_the_wrong_count_of_digits_for_its_month_is_refused(number):
    """Four digits after the dot until December 2014, five from January 2015 (arXiv's scheme)."""
    from generator.catalogue.scholarly import normalise_arxiv
    from generator.errors import CatalogueError

    with pytest.raises(CatalogueError, match="is not an arXiv identifier"):
        normalise_arxiv(number)
    assert normalise_arxiv("1412.1234")[0] == "1412.1234" and normalise_arxiv("1501.00001")[0] == "1501.00001"


def test_the_scholarly_fields_read_from_a_page_can_never_change_once_read(tmp_path):
    """Pages that say nothing share one value (NO_SCHOLARLY), so a value must be immutable through
    and through: its authors too (a list there could be changed under every page sharing it)."""
    from generator.catalogue.scholarly import read_scholarly
    from generator.ingest.pages import load_page

    write_paper(tmp_path, "named", "A paper with authors", authors="[Ada Lovelace, '  Alan   Turing ']")
    path = tmp_path / "papers" / "named.md"
    found = read_scholarly(load_page(path).metadata, path)
    assert found.authors == ("Ada Lovelace", "Alan Turing")
    assert hash(found) == hash(read_scholarly(load_page(path).metadata, path))
    with pytest.raises(AttributeError):
        found.authors.append("Someone")


def test_an_old_style_arxiv_id_is_kept_with_its_archive():
    from generator.catalogue.scholarly import normalise_arxiv

    assert normalise_arxiv("cs/0112017") == ("cs/0112017", "cs", None)
    assert normalise_arxiv("hep-th/9901001v3") == ("hep-th/9901001", "hep-th", None)


def test_the_paper_page_links_arxiv_pdf_hugging_face_code_and_doi(site):
    page = _page(site, REPETITION)
    for label, href in [("arXiv", "https://arxiv.org/abs/2206.02369"), ("PDF", "https://arxiv.org/pdf/2206.02369"),
                        ("Hugging Face", "https://huggingface.co/papers/2206.02369"),
                        ("Code", "https://github.com/Jxu-Thu/DITTO"), ("DOI", "https://doi.org/10.48550/arXiv.2206.02369")]:
        assert f'<a href="{href}">{label}</a>' in page


def test_author_names_replace_the_author_count_on_the_page_in_lists_and_in_feeds(site):
    assert "Jin Xu, Xiaojiang Liu, Jianhao Yan, Deng Cai" in _page(site, REPETITION)
    assert "6 authors" not in _page(site, REPETITION)
    feeds = [ET.parse(path).getroot() for path in [site / "feed.xml", *site.glob("topics/*/feed.xml")]]
    names = [a.findtext(f"{ATOM}name") for f in feeds for e in f.iter(f"{ATOM}entry") for a in e.iter(f"{ATOM}author")]
    assert "Jin Xu" in names and not [n for n in names if re.fullmatch(r"\d+ authors?", n)]


def test_a_paper_no_capture_dates_gets_its_month_from_its_arxiv_id_and_never_a_day(site):
    page = _page(site, UNDATED)
    assert '<time datetime="2024-05">May 2024</time>' in page and "2024-05-" not in page
    may = (site / "dates" / "2024" / "05" / "index.html").read_text(encoding="utf-8")
    assert f'papers/{UNDATED}/' in may
    assert f'papers/{UNDATED}/' not in (site / "dates" / "undated" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("key,value,problem", [
    ("arxiv", "'22.06.02369'", "arxiv: '22.06.02369' is not an arXiv identifier"),
    ("code", "ftp://example.org/x", "code should be an http(s) address"),
    ("pdf", "javascript:alert(1)", "pdf should be an http(s) address"),
    ("doi", "not-a-doi", "doi: 'not-a-doi' is not a DOI"),
    ("doi", "'10.1000/a{b'", "doi: '10.1000/a{b' is not a DOI"),
    ("authors", "5", "authors should be a list of names"),
    ("authors", "Ryan Greenblatt, Carson Denison, Fabien Roger", "authors should be a list of names, one each"),
    ("authors", "Ann Lee and Bo Chen", "authors should be a list of names, one each"),
])
def test_a_value_that_is_not_what_its_field_expects_is_one_line_and_nothing_is_written(tmp_path, key, value, problem):
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    page = content / "papers" / f"{REPETITION}.md"
    _add(page, **{key: value})
    line = page.read_text(encoding="utf-8").split("\n").index(f"{key}: {value}") + 1
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {page}:{line}: {problem}"), result.stderr
    assert not (tmp_path / "site").exists()


def test_every_bib_file_parses_with_bibtexparser_and_pybtex_and_keys_are_unique(site):
    files = [site / "catalogue.bib", *site.glob("topics/*/papers.bib"), *site.glob("papers/*/cite.bib")]
    pages = len(list((site.parent / "content" / "papers").glob("*.md")))
    assert len(list(site.glob("papers/*/cite.bib"))) == pages
    for path in files:
        text = path.read_text(encoding="utf-8")
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == [], (path, library.failed_blocks[:1])
        keys = [entry.key for entry in library.entries]
        assert len(keys) == len(set(keys)) == len(pybtex_parse(text, "bibtex").entries) == text.count("\n@") + 1
    whole = bibtexparser.parse_string((site / "catalogue.bib").read_text(encoding="utf-8"))
    assert len(whole.entries) == pages


def test_a_bibtex_entry_has_authors_eprint_and_escaped_text(site):
    [entry] = bibtexparser.parse_string((site / "papers" / REPETITION / "cite.bib").read_text("utf-8")).entries
    assert entry["author"] == "Jin Xu and Xiaojiang Liu and Jianhao Yan and Deng Cai"
    assert entry["eprint"] == "2206.02369" and entry["archivePrefix"] == "arXiv" and entry["year"] == "2022"
    [special] = bibtexparser.parse_string((site / "papers" / "special" / "cite.bib").read_text("utf-8")).entries
    assert special["title"] == ("{50\\% of C\\# \\& the\\_loop: \\{braces\\}, \\$5 \\textasciitilde{} "
                                "\\textasciicircum{}x \\textbackslash{}\\textbackslash{} back and Ünïcödé}")
    assert special["primaryClass"] == "cs" and special["eprint"] == "cs/0112017"
    assert special["doi"] == "10.1007/978-3-030-58452-8_13"  # verbatim: an escaped `\_` would be in the DOI
    persons = pybtex_parse((site / "papers" / "special" / "cite.bib").read_text("utf-8"), "bibtex")
    assert [str(p) for p in next(iter(persons.entries.values())).persons["author"]] == ["Çelik, Zoë", "O'Brien, Ann"]
    pybtex = pybtex_parse((site / "papers" / REPETITION / "cite.bib").read_text("utf-8"), "bibtex")
    assert [str(p) for p in next(iter(pybtex.entries.values())).persons["author"]][0] == "Xu, Jin"


def test_a_lone_brace_in_a_title_is_a_brace_and_every_entry_after_it_still_parses(site):
    """BibTeX counts `\\{` as a brace: one lone brace made catalogue.bib unreadable from that entry on."""
    [entry] = bibtexparser.parse_string((site / "papers" / "lone-brace" / "cite.bib").read_text("utf-8")).entries
    assert entry["title"] == "{A \\textbraceright{} first, sets \\{0,1\\} and a lone \\textbraceleft{} brace}"
    assert entry["year"] == "2024"  # the fields after the title are still the entry's


def test_a_name_with_a_suffix_or_written_last_first_gives_bibtex_its_family_name(site):
    text = (site / "papers" / "lone-brace" / "cite.bib").read_text("utf-8")
    [(key, entry)] = pybtex_parse(text, "bibtex").entries.items()
    assert [str(p) for p in entry.persons["author"]] == ["Steele, Jr., Guy L.", "Müller, Hans"]
    assert key.startswith("steele2024first_")


@pytest.mark.parametrize("written", ["Guy L. Steele Jr.", "Guy L. Steele, Jr.", "Steele Jr., Guy L.", "Steele, Jr., Guy L."])
def test_a_suffix_is_the_suffix_however_the_name_is_written(written):
    """pybtex read "Steele Jr., Guy L." with the last name "Steele Jr.", and the key began "jr"."""
    from pybtex.database import Person

    from generator.catalogue.bibtex import bibtex_name, surname

    person = Person(bibtex_name(written))
    assert (person.last_names, person.lineage_names, person.first_names) == (["Steele"], ["Jr."], ["Guy"])
    assert surname(written) == "Steele"


def test_an_organisation_is_a_corporate_author_and_a_count_never_an_author(site):
    text = (site / "catalogue.bib").read_text(encoding="utf-8")
    assert "author = {{NVIDIA}}" in text
    assert not re.search(r"author = \{[^}\n]*\d+ authors", text)


def test_non_ascii_survives_in_bibtex(site):
    text = (site / "catalogue.bib").read_text(encoding="utf-8")
    assert "Ünïcödé" in text and "Zoë Çelik" in text


def test_keys_do_not_change_when_a_paper_is_added(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    build(load_settings(None, content), tmp_path / "before")
    source = content / "papers" / f"{REPETITION}.md"
    twin = content / "papers" / "learning-to-break-the-loop-again.md"
    twin.write_text(source.read_text(encoding="utf-8").replace(f"slug: {REPETITION}", "slug: learning-to-break-the-loop-again"),
                    encoding="utf-8")
    build(load_settings(None, content), tmp_path / "after")
    keys = lambda site: [e.key for e in bibtexparser.parse_string((site / "catalogue.bib").read_text("utf-8")).entries]  # noqa: E731
    before, after = keys(tmp_path / "before"), keys(tmp_path / "after")
    assert set(before) < set(after) and len(set(after)) == len(after)


def test_papers_whose_titles_start_alike_without_authors_get_keys_of_their_own(tmp_path):
    """All `anon2024large_...`: with 16 bits of the slug's hash, 4 pairs of 500 met, and pybtex
    refused the whole catalogue.bib."""
    content = tmp_path / "content"
    areas = ["Education", "Search", "Law", "Medicine", "Finance", "Code", "Math", "Chemistry", "Music", "Robots"]
    for i in range(500):
        title = f"Large Language Models for {areas[i % 10]} {i // 10}"
        write_paper(content, f"large-language-models-for-{i}", title, date="2024-05-01")
    build(load_settings(None, content), tmp_path / "site")
    text = (tmp_path / "site" / "catalogue.bib").read_text(encoding="utf-8")
    assert len(pybtex_parse(text, "bibtex").entries) == 500  # refuses a repeated key
    assert all(key.startswith("anon2024large_") for key in pybtex_parse(text, "bibtex").entries)
    import datetime

    from generator.catalogue.bibtex import cite_key
    from generator.catalogue.paper import Paper

    many = {cite_key(Paper(f"large-language-models-for-{i}", f"Large Language Models for Task {i}",
                           datetime.date(2024, 5, 1), "", "", "")) for i in range(20_000)}
    assert len(many) == 20_000  # 16 bits: about 2,800 shared


def test_a_paper_dated_only_by_its_arxiv_id_is_dated_by_that_month_in_feeds_and_by_its_year_for_scholar(site):
    """Its feed entries took the newest paper's day (a 2024 paper shown as new), and its Scholar date
    was "2024/05", a form Google Scholar does not document (a full date, or the year alone)."""
    entries = [entry for feed in site.rglob("feed.xml") for entry in ET.parse(feed).getroot().iter(f"{ATOM}entry")
               if entry.findtext(f"{ATOM}id") == f"{BASE}papers/{UNDATED}/"]
    assert entries and {e.findtext(f"{ATOM}updated") for e in entries} == {"2024-05-01T00:00:00Z"}
    assert '<meta name="citation_publication_date" content="2024">' in _page(site, UNDATED)


def test_the_page_head_has_json_ld_highwire_tags_open_graph_and_an_absolute_canonical(site):
    page = _page(site, REPETITION)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["@type"] == "ScholarlyArticle" and ld["datePublished"] == "2022-06-06"
    assert [a["name"] for a in ld["author"]][:2] == ["Jin Xu", "Xiaojiang Liu"]
    assert "https://arxiv.org/abs/2206.02369" in ld["sameAs"] and ld["url"] == f"{BASE}papers/{REPETITION}/"
    meta = dict(re.findall(r'<meta name="(citation_(?:title|arxiv_id|doi|publication_date))" content="([^"]*)"', page))
    assert meta == {"citation_title": "Learning to Break the Loop: Analyzing and Mitigating Repetitions for Neural "
                                      "Text Generation", "citation_arxiv_id": "2206.02369",
                    "citation_doi": "10.48550/arXiv.2206.02369", "citation_publication_date": "2022/06/06"}
    assert page.count('<meta name="citation_author"') == 4
    assert '<meta property="og:type" content="article">' in page and '<meta name="twitter:card"' in page
    assert f'<link rel="canonical" href="{BASE}papers/{REPETITION}/">' in page


def test_latex_isms_are_shown_as_a_reader_expects_and_searchable(site):
    page = next(p.read_text(encoding="utf-8") for p in site.glob("papers/empirical-analysis*/index.html"))
    assert "Súmulas Vinculantes" in page and "S\\&#39;umulas" not in page and "S\\'umulas" not in page
    words = (site / "search" / "terms.json").read_text(encoding="utf-8")
    assert '"súmula' in words  # the stemmed term lunr.js looks up for "súmulas"


def test_a_bare_address_in_an_abstract_is_a_link_without_the_closing_full_stop(site):
    page = next(p.read_text(encoding="utf-8") for p in site.glob("papers/a-multi-dimensional-constraint-framework*/index.html"))
    assert '<a href="https://github.com/Junjie-Ye/MulDimIF">https://github.com/Junjie-Ye/MulDimIF</a>.' in page


def test_the_cite_block_is_readable_without_javascript(site):
    page = _page(site, REPETITION)
    assert re.search(r'<pre id="bibtex"[^>]*>@misc\{xu2022learning_[0-9a-f]{8},', page)
    assert '<a href="cite.bib" download>' in page
    topic = (site / "topics" / "repetition" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../topics/repetition/papers.bib"' in topic


def test_a_list_card_names_the_first_three_authors_and_the_paper_page_every_one(tmp_path):
    """A 25-author paper took 25 lines of a phone's screen on every list it was in."""
    content = tmp_path / "content"
    names = [f"Author Number{i}" for i in range(25)]
    write_paper(content, "many", "A Paper by Many", authors="[" + ", ".join(names) + "]", date="2024-05-01")
    write_paper(content, "four", "A Paper by Four", authors="[" + ", ".join(names[:4]) + "]", date="2024-05-02")
    build(load_settings(None, content), tmp_path / "site")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Author Number0, Author Number1, Author Number2 et al." in home and "Author Number24" not in home
    assert ", ".join(names[:4]) + "</span>" in home  # four are named: "et al." would hide only one
    assert ", ".join(names) in (tmp_path / "site" / "papers" / "many" / "index.html").read_text(encoding="utf-8")


def test_latex_the_converter_cannot_read_is_kept_as_written_and_nothing_unnamed_is_printed(tmp_path):
    """An unclosed `\\url{` came out as `<%s>{`, and pylatexenc printed a line naming no page, even under --quiet."""
    content = tmp_path / "content"
    write_paper(content, "latex", "A Paper", "We see \\\\url{ here, and \\\\url{https://x.org} there, "
                "as in \\\\cite{smith}.")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"), "--quiet")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    page = (tmp_path / "site" / "papers" / "latex" / "index.html").read_text(encoding="utf-8")
    assert "We see \\url{ here, and https://x.org there, as in \\cite{smith}." in page  # not "<cit.>"
