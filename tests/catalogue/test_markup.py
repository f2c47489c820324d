"""Page bodies to HTML: safe by default, and the plain-prose shortcut is exactly Markdown."""

from __future__ import annotations

import random

import frontmatter
import markdown
import pytest
from conftest import SHIPPED_CONTENT

from generator.catalogue.markup import Renderer
from generator.catalogue.safe_markdown import SafeMarkup
from generator.ingest.markdown_text import escape_markdown

TRICKY = ["a  b", "x: y", "http://x.y", "1. a", "a\n\nb", "a\nb", "  lead", "trail ", "tab\tin", "##", "a #b",
          "- a", "+", "1)", "20. May", "\na\n", "a\r\nb", "\u00a0x", "x\u00a0", "a\u2028b", "a\x0bb", "\u3000x",
          "a\x85b", "😀 emoji", "'quoted' \"too\"", "$x$", "x @ y", "a|b", "(a) [b]", "x_t", "<think>", "&amp;",
          "a\\b", "`c`", "*e*", "~~s~~", "a ^ b", "{x}", "=== x", "> q", "!x", "a!", "3 < 4 > 2",
          "see http://a.b/c: ok", "mailto:x@y.z", "a:b:c", "Note: x", "ratio 1:2", "www.x.com", "C# and F#",
          "key=value", "x {y} ^z ~w |v !u", "a: b: c", "#tag", "x #", "x ##", "=", "x =", ": x", "| a | b |",
          "Term\n: definition", "*[HTML]: x", "[^1]: note", "a^b^", "!!! note", "x ~~~", "a\n\nb\n\nc",
          "a\n\n\nb", "a\n\n b", "a \n\nb", "a\n\n- b", "a\n\n===", "a\n\n1. b", "\n\na\n\nb\n\n"]


_MARKDOWN: dict[bool, markdown.Markdown] = {}


def markdown_itself(text: str, allow_html: bool = False) -> str:
    """Markdown's own output: one converter a setting, reset before each text (as a new one starts)."""
    if allow_html not in _MARKDOWN:
        _MARKDOWN[allow_html] = markdown.Markdown(extensions=[SafeMarkup(allow_html)], output_format="html")
    return _MARKDOWN[allow_html].reset().convert(text)


def random_texts(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    alphabet = list("abcXYZ019 .,;:()'\"-+#*_[]<>&!|~^{}=\\`\t\n\u00a0\u2028é😀")
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(count)]


def random_paragraphs(count: int, seed: int = 12) -> list[str]:
    """Texts of one to four paragraphs, most of them plain: the shortcut's multi-paragraph case."""
    rng = random.Random(seed)
    words = ["model", "x: y", "#3", "a=b", "(see)", "Note", "é", "'q'", "!", "ratio 1:2", "C#", "{x}"] * 6 \
        + ["1.", "-", ">", " ", "", "x_t", "==="]
    separators = ["\n\n", "\n\n\n", "\n", "\n \n", "\n\n "]
    texts = []
    for _ in range(count):
        parts = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 6))) for _ in range(rng.randrange(1, 5))]
        text = parts[0]
        for part in parts[1:]:
            text += (rng.choice(separators) if rng.random() < 0.3 else "\n\n") + part
        texts.append(text)
    return texts


@pytest.mark.parametrize("allow_html", [False, True])
def test_the_plain_prose_shortcut_gives_exactly_what_markdown_gives(allow_html):
    renderer = Renderer(allow_html)
    bodies = [frontmatter.load(p).content for p in (SHIPPED_CONTENT / "papers").glob("*.md")]
    texts = TRICKY + random_texts(20000) + random_paragraphs(5000)
    escaped = [escape_markdown(text) for text in texts]  # as ingest writes a captured abstract
    for text in bodies + texts + escaped:
        assert renderer.to_html(text) == markdown_itself(text, allow_html), repr(text)


def test_a_long_run_of_escaped_characters_renders_in_linear_time():
    """Markdown takes quadratic time here: 40,000 escaped `<` took 7 s, 160,000 took 110 s."""
    renderer = Renderer()
    for n in (1_000, 160_000):
        text = escape_markdown("Start " + "<&*_" * n + " end")
        assert renderer.to_html(text) == "<p>Start " + "&lt;&amp;*_" * n + " end</p>"


def test_raw_html_and_script_urls_are_neutralised_by_default():
    html = Renderer().to_html('<script>x()</script> [a](javascript:alert(1)) [b](JaVa&#115;cript:1) [c](https://ok.org)')
    assert "<script" not in html and 'href="#"' in html and 'href="https://ok.org"' in html


def test_raw_html_passes_when_a_site_allows_it():
    assert "<b>bold</b>" in Renderer(allow_html=True).to_html("some <b>bold</b> text")
