"""Settings: one TOML file, every key typed and checked where it is declared."""

from __future__ import annotations

import pytest
from conftest import run_cli, write_paper

from generator.errors import CatalogueError
from generator.settings import load_settings

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
    assert result.stderr == f"error: {tmp_path / 'catalogue.toml'}:1: unknown setting 'titel' (did you mean 'title'?)\n"
    assert "Traceback" not in result.stderr

@pytest.mark.parametrize("base_url", ["papers", "ftp://host/x/", "https://", "lab.example.org/papers/"])
def test_a_base_url_that_is_neither_an_address_nor_a_path_is_refused(tmp_path, base_url):
    write_paper(tmp_path / "content", "p", "A Paper")
    result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"),
                     "--base-url", base_url)
    assert result.returncode == 1 and "should be an address such as" in result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("base_url", ["https://example.org/p/?x=1", "https://example.org/p/#top", "https://example.org/a b/",
                                      "/lab papers/"])
def test_a_base_url_every_address_cannot_be_appended_to_is_refused_naming_where_it_came_from(tmp_path, base_url):
    """They built, and every feed and sitemap address held the query, fragment or space."""
    write_paper(tmp_path / "content", "p", "A Paper")
    config = tmp_path / "catalogue.toml"
    config.write_text(f'title = "Ours"\nbase_url = "{base_url}"\n', encoding="utf-8")
    for given in (["--config", str(config)], ["--base-url", base_url]):
        result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), *given)
        assert result.returncode == 1 and "should hold no ?, # or space" in result.stderr
        assert result.stderr.startswith(f"error: {config}:2: " if given[0] == "--config" else "error: base_url ")
        assert not (tmp_path / "site").exists()


def test_a_value_of_the_wrong_type_names_the_key_its_line_and_the_type(tmp_path):
    (tmp_path / "catalogue.toml").write_text('title = "ok"\nper_page = "ten"\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_settings(None, tmp_path / "content")
    assert str(caught.value) == f"{tmp_path / 'catalogue.toml'}:2: setting 'per_page' should be a whole number, not str 'ten'"


@pytest.mark.parametrize("key,value", [("per_page", 0), ("home_recent", -1), ("feed_entries", 0)])
def test_a_count_of_papers_below_one_is_refused_with_its_line(tmp_path, key, value):
    """`home_recent = -1` built a home page of every paper but the oldest; `feed_entries = 0`, empty feeds."""
    (tmp_path / "catalogue.toml").write_text(f'title = "ok"\n{key} = {value}\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_settings(None, tmp_path / "content")
    assert str(caught.value) == f"{tmp_path / 'catalogue.toml'}:2: setting '{key}' must be at least 1, not {value}"
