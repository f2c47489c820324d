"""The built site in real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import CHROMIUM, PROJECT, SHIPPED_CONTENT, write_paper
from playwright.sync_api import Page, expect, sync_playwright

from generator.build.pipeline import build
from generator.settings import load_settings

AXE = PROJECT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAPER = "papers/learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text/"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site_url(shipped_site, static_server) -> str:
    return static_server(shipped_site, "/")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def search(page: Page, query: str) -> None:
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")


def result_titles(page: Page) -> list[str]:
    return page.locator("#search-results .paper-title").all_inner_texts()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", PAPER, "topics/continual-learning/", "dates/2024/", "search/?q=reward"])
def test_axe_finds_no_accessibility_violations(browser, site_url, path, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + path)
    if path.startswith("search"):
        expect(page.locator("#search-results > li").first).to_be_visible()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id + ': ' + v.nodes.length)")
    context.close()
    assert violations == []


@pytest.mark.parametrize("width", [1280, 375])
def test_no_two_chart_labels_overlap_as_the_browser_draws_them(browser, site_url, shipped_site, width):
    """On 8 of the 21 topic charts, "Apr 2021" and "Mar 2022" were drawn into each other."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    charts = ["dates/", *(f"topics/{p.parent.name}/" for p in sorted((shipped_site / "topics").glob("*/index.html")))]
    for path in charts:
        page.goto(site_url + path)
        boxes = page.eval_on_selector_all(
            "figure.chart svg text.tick",
            "nodes => nodes.filter(n => n.getAttribute('y') !== '12').map(n => { const b = n.getBBox(); "
            "return [b.x, b.x + b.width, n.textContent]; })")
        boxes.sort()
        assert len(boxes) >= 2 or path != "dates/", path
        for (_, right, label), (left, _, other) in zip(boxes, boxes[1:]):
            assert right <= left, (path, label, other, right, left)
    page.close()


def test_typing_a_query_shows_the_expected_paper_first_and_puts_it_in_the_url(page, site_url):
    page.goto(site_url + "search/")
    search(page, "repetition loop")
    expect(page.locator("#search-results .paper-title").first).to_have_text(re.compile("^Learning to Break the Loop"))
    assert "q=repetition+loop" in page.url
    marks = page.locator("#search-results > li").first.locator("mark").all_inner_texts()
    assert {"Loop", "Repetitions"} <= set(marks)
    assert page.errors == []


def test_each_result_shows_a_snippet_around_the_words_that_matched(page, site_url, shipped_site):
    """"llama" is rarely in an abstract's first lines: the snippet is cut around it instead."""
    page.goto(site_url + "search/?q=llama")
    expect(page.locator("#search-results > li").first).to_be_visible()
    items = page.locator("#search-results > li").all()[:6]
    assert len(items) == 6
    for item in items:
        href = item.locator(".paper-title a").get_attribute("href")
        abstract = (shipped_site / "papers" / href.rstrip("/").split("/")[-1] / "index.html").read_text(encoding="utf-8")
        in_abstract = "llama" in abstract.split('class="abstract"', 1)[-1].lower()
        snippet_marks = item.locator(".summary mark").all_inner_texts()
        assert bool(snippet_marks) == in_abstract or item.locator(".paper-title mark").count()
        assert all(m.lower().startswith("llama") for m in snippet_marks)


def test_a_result_shows_its_organisation_and_upvotes(page, site_url):
    page.goto(site_url + "search/?q=DLER+length+penalty")
    first = page.locator("#search-results > li").first
    expect(first.locator(".paper-title")).to_contain_text("DLER")
    meta = first.locator(".meta").inner_text()
    assert "NVIDIA" in meta and "3 upvotes" in meta  # the page's frontmatter: organisation NVIDIA, upvotes 3


def test_a_shared_search_url_shows_its_results(page, site_url):
    page.goto(site_url + "search/?q=continual+learning&topic=continual-learning")
    expect(page.locator("#search-input")).to_have_value("continual learning")
    expect(page.locator("#topic-filter")).to_have_value("continual-learning")
    expect(page.locator("#search-results > li").first).to_be_visible()


def matching(page: Page) -> int:
    """The number of papers the status line says match."""
    expect(page.locator("#search-status")).to_contain_text("match")
    return int(re.match(r"(\d+) papers? match", page.locator("#search-status").inner_text()).group(1))


def test_filters_narrow_results_by_topic_and_year(page, site_url):
    page.goto(site_url + "search/?q=learning")
    everything = matching(page)
    page.select_option("#topic-filter", "bandits")
    expect(page.locator("#search-status")).not_to_contain_text(f"{everything} papers")
    by_topic = matching(page)
    assert 0 < by_topic < everything
    assert "topic=bandits" in page.url
    for item in page.locator("#search-results > li").all():
        assert "Bandits, online learning and learning theory" in item.inner_text()
    year = page.locator("#year-filter option").nth(1).get_attribute("value")
    page.select_option("#year-filter", year)
    dates = page.locator("#search-results .meta time").evaluate_all("nodes => nodes.map(n => n.dateTime)")
    shown = page.locator("#search-results > li").count()
    assert dates and len(dates) == shown and all(d.startswith(year) for d in dates)
    assert f"year={year}" in page.url


def test_a_year_no_paper_has_given_in_the_address_shows_in_the_menu_with_no_results(page, site_url):
    """`?year=1999` showed no results under a menu that read "All years"."""
    page.goto(site_url + "search/?q=learning&year=1999")
    expect(page.locator("#search-status")).to_contain_text("No papers match")
    expect(page.locator("#year-filter")).to_have_value("1999")
    assert page.locator("#year-filter option:checked").inner_text().startswith("1999")
    assert page.locator("#search-results > li").count() == 0 and page.errors == []


def test_a_query_lunr_cannot_read_that_finds_nothing_says_both(page, site_url):
    """"title:" is searched as the word "title", which no paper has: the status said only that the
    query was read otherwise, not that nothing matched."""
    page.goto(site_url + "search/?q=title%3A")
    expect(page.locator("#search-status")).to_contain_text("lunr cannot read the query as typed")
    expect(page.locator("#search-status")).to_contain_text("No papers match “title:”")
    assert page.locator("#search-results > li").count() == 0 and page.errors == []


def test_a_query_with_nothing_to_search_for_says_so_and_counts_nothing(page, site_url):
    page.goto(site_url + "search/?q=%2B%2B")
    expect(page.locator("#search-status")).to_contain_text("That query has nothing to search for")
    expect(page.locator("#search-status")).not_to_contain_text("match")
    assert page.locator("#search-results > li").count() == 0 and page.errors == []


def test_after_more_results_focus_is_on_the_first_new_one_even_when_the_button_goes(page, site_url):
    """The last press hid the button that had focus, and focus fell back to the page (WCAG 2.4.3)."""
    page.goto(site_url + "search/?q=continual+learning")
    total = matching(page)
    assert 20 < total <= 40
    for shown in range(10, total, 10):
        page.focus("#search-more")
        page.keyboard.press("Enter")
        expect(page.locator("#search-results > li")).to_have_count(min(shown + 10, total))
        focused = page.evaluate("document.activeElement.closest('#search-results > li') === "
                                f"document.querySelectorAll('#search-results > li')[{shown}]")
        assert focused, shown
    assert page.locator("#search-more").is_hidden()


def test_a_filter_changed_from_the_keyboard_leaves_one_history_entry_not_one_a_key(page, site_url):
    page.goto(site_url + "search/?q=learning")
    matching(page)
    before = page.evaluate("history.length")
    page.focus("#topic-filter")
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#search-status")).to_contain_text("match")
    assert page.evaluate("history.length") == before and "topic=" in page.url


@pytest.mark.parametrize("path", ["", "topics/continual-learning/", "search/?q=learning",
                                  "papers/learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text/"])
def test_no_page_scrolls_sideways_on_a_320px_screen(browser, site_url, path):
    """The header's search form was 307px at least: 323px in a 320px window (WCAG 1.4.10 Reflow)."""
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.close()


def test_a_search_file_that_failed_to_arrive_is_fetched_again_by_the_next_query(page, site_url):
    """A failed fetch was kept: every query needing that file said "Search failed" until a reload."""
    dropped = []

    def drop_once(route):
        if not dropped:
            dropped.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/search/shards/*.json*", drop_once)
    page.goto(site_url + "search/?q=forgetting")
    expect(page.locator("#search-status")).to_contain_text("failed")
    assert dropped
    search(page, "forgetting catastrophic")
    expect(page.locator("#search-status")).to_contain_text("match")
    assert page.locator("#search-results > li").count() > 0


def test_back_returns_to_the_query_searched_for_before_a_new_one_was_typed(page, site_url):
    """Typing replaced the address of the query searched for before, so Back left the page."""
    page.goto(site_url + "search/")
    for query in ("lora", "rlhf"):
        page.locator("#search-input").select_text()  # typed over, as a person replaces a query
        page.locator("#search-input").press_sequentially(query, delay=30)
        page.wait_for_timeout(400)  # the results as typed came first (the address then holds the query)
        page.press("#search-input", "Enter")
        expect(page).to_have_url(re.compile(rf"q={query}"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=lora"))
    expect(page.locator("#search-input")).to_have_value("lora")


def test_filter_counts_of_a_query_that_finds_nothing_are_not_the_last_ones(page, site_url):
    page.goto(site_url + "search/?q=lora")
    matching(page)
    page.focus("#topic-filter")
    expect(page.locator("#topic-filter option").nth(1)).to_contain_text("(")
    search(page, "xyzzynothingatall")
    expect(page.locator("#search-status")).to_contain_text("No papers match")
    labels = page.locator("#topic-filter option").all_inner_texts()[1:]
    assert all(label.endswith("(0)") for label in labels), labels
    page.fill("#search-input", "")
    page.dispatch_event("#search-input", "input")
    expect(page.locator("#search-status")).to_contain_text("Type a query")
    assert not any("(" in label for label in page.locator("#topic-filter option").all_inner_texts()[1:])


def test_a_filter_shows_how_many_results_each_choice_keeps(page, site_url):
    page.goto(site_url + "search/?q=learning")
    everything = matching(page)
    page.focus("#year-filter")
    expect(page.locator("#year-filter option").nth(1)).to_contain_text("(")
    labels = page.locator("#year-filter option").all_inner_texts()[1:]
    counts = [int(re.search(r"\((\d+)\)$", label).group(1)) for label in labels]
    assert sum(counts) == everything
    bandits = int(re.search(r"\((\d+)\)$", page.locator("#topic-filter option[value=bandits]").inner_text()).group(1))
    assert 0 < bandits < everything
    page.select_option("#topic-filter", "bandits")
    expect(page.locator("#search-status")).to_contain_text(f"{bandits} paper{'s' if bandits > 1 else ''} match")


def test_more_results_are_shown_ten_at_a_time(page, site_url):
    page.goto(site_url + "search/?q=learning")
    total = matching(page)
    assert total > 20
    expect(page.locator("#search-results > li")).to_have_count(10)
    first = result_titles(page)
    page.click("#search-more")
    expect(page.locator("#search-results > li")).to_have_count(20)
    assert result_titles(page)[:10] == first
    expect(page.locator("#search-status")).to_contain_text("showing the best 20")


@pytest.fixture(scope="module")
def headed_url(tmp_path_factory, static_server) -> str:
    """The shipped catalogue built with a head of 12 papers for every shard, as a catalogue of
    100,000 papers has for its commonest words (generator/search/shards.py `head`)."""
    from generator.search import shards

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shards, "HEAD_BYTES", 0)
        patch.setattr(shards, "HEAD", 12)
        out = tmp_path_factory.mktemp("headed") / "site"
        build(load_settings(None, PROJECT / "content"), out)
    return static_server(out, "/")


def shown(page: Page) -> tuple[str, list[str]]:
    expect(page.locator("#search-status")).to_contain_text("match")
    return page.locator("#search-status").inner_text(), result_titles(page)


def test_a_common_word_shows_its_best_from_its_head_and_more_or_a_filter_as_the_whole_index_does(
        browser, site_url, headed_url):
    answers = {}
    for url in (site_url, headed_url):
        context = browser.new_context()
        page = context.new_page()
        fetched, errors = [], []
        page.on("requestfinished", lambda request: fetched.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url + "search/?q=large")  # "larg" starts its shard: it has a head
        first = shown(page)
        searched = [u for u in fetched if "/search/" in u and "manifest" not in u]
        page.click("#search-more")
        expect(page.locator("#search-results > li")).to_have_count(20)
        more = shown(page)
        page.select_option("#topic-filter", "bandits")
        expect(page.locator("#search-status")).not_to_contain_text("showing the best 20")
        answers[url] = first, more, shown(page), searched
        context.close()
        assert errors == []
    whole, headed = answers[site_url], answers[headed_url]
    assert headed[:3] == whole[:3]  # the same words and counts at each step
    assert any("/search/heads/" in u for u in headed[3]) and not any("/search/shards/" in u for u in headed[3])


def test_a_cold_query_fetches_a_few_shards_and_a_second_query_reuses_them(browser, site_url, shipped_site):
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(site_url + "search/?q=continual+learning")
    expect(page.locator("#search-results > li").first).to_be_visible()
    first = [u for u in fetched if "/search/" in u and ".json" in u]
    shards = [u for u in first if "/shards/" in u]
    all_shards = len(list((shipped_site / "search" / "shards").glob("*.json")))
    assert 1 <= len(shards) <= 4 < all_shards
    assert not [u for u in first if "terms.json" in u or "facets.json" in u]
    fetched.clear()
    statuses = {}
    page.on("response", lambda response: statuses.setdefault(response.url.split("?")[0], response.status))
    search(page, "continual")
    expect(page.locator("#search-status")).to_contain_text("match “continual”")
    context.close()
    assert not [u for u in fetched if u in shards]
    # only the few bytes of the search's version are asked again, whether the site changed (see the next test)
    assert [url.rsplit("/", 1)[1] for url in statuses if "/search/" in url] == ["version.json"]


def test_a_tab_left_open_while_the_site_is_published_again_shows_the_new_sites_papers(
        browser, tmp_path, static_server):
    """The search files are keyed by position: a new query in a tab opened before the site was built
    again showed the old build's papers under the new one's titles (or failed)."""
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SHIPPED_CONTENT, content)
    build(load_settings(None, content), site)
    url = static_server(site, "/")
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "search/?q=repetition")
    expect(page.locator("#search-results > li").first).to_be_visible()
    for path in sorted((content / "papers").glob("*.md"))[::2]:  # half the papers go: every position moves
        path.unlink()
    build(load_settings(None, content), site)
    search(page, "continual learning")
    expect(page.locator("#search-status")).to_contain_text("continual learning")
    shown = result_titles(page)
    fresh = context.new_page()
    fresh.goto(url + "search/?q=continual+learning")
    expect(fresh.locator("#search-results > li").first).to_be_visible()
    expected = result_titles(fresh)
    context.close()
    assert shown and shown == expected


def test_back_and_forward_restore_earlier_queries(page, site_url):
    page.goto(site_url + "search/")
    search(page, "bandit")
    expect(page.locator("#search-status")).to_contain_text("bandit")
    search(page, "retrieval")
    expect(page.locator("#search-status")).to_contain_text("retrieval")
    page.go_back()
    expect(page.locator("#search-input")).to_have_value("bandit")
    expect(page.locator("#search-status")).to_contain_text("bandit")
    page.go_forward()
    expect(page.locator("#search-input")).to_have_value("retrieval")


@pytest.mark.parametrize("query", ["LLaMA: open", "models?", "GPT-4", "~", "^2", "title:", "🚀", "*", "+", "-",
                                   ":", "a:b:c", "<img src=x onerror=alert(1)>", "\\"])
def test_odd_input_shows_results_or_a_message_and_no_page_error(page, site_url, query):
    page.goto(site_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Type a query")
    search(page, query)
    expect(page.locator("#search-status")).not_to_have_text(re.compile("^(Searching|Type a query)"))
    status = page.locator("#search-status").inner_text()
    assert status and page.errors == []
    assert page.locator("#search-results img").count() == 0


def test_a_query_with_a_colon_after_a_word_finds_the_words(page, site_url):
    page.goto(site_url + "search/")
    search(page, "LLaMA: open")
    expect(page.locator("#search-results > li").first).to_be_visible()
    assert any("open" in t.lower() for t in result_titles(page)[:5])


def test_slash_focuses_the_search_box_and_the_header_form_leads_to_search(page, site_url):
    page.goto(site_url + PAPER)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-input"
    page.keyboard.type("forgetting")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=forgetting$"))
    expect(page.locator("#search-results > li").first).to_be_visible()


def test_the_index_loads_only_on_the_search_page(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(site_url)
    page.goto(site_url + PAPER)
    page.wait_for_load_state("networkidle")
    context.close()
    assert not [u for u in fetched if "/search/" in u and u.endswith(".json")]
    assert not [u for u in fetched if "lunr" in u]


def test_without_javascript_the_search_page_says_so(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "search/?q=loop")
    text = page.locator("main").inner_text()
    context.close()
    assert "Search needs JavaScript" in text


def test_pages_fit_a_phone_screen(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("", PAPER, "topics/", "search/?q=reward"):
        page.goto(site_url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()


def test_a_non_ascii_and_emoji_catalogue_loads_and_finds_its_papers(browser, tmp_path_factory, static_server):
    root = tmp_path_factory.mktemp("browser-unicode")
    titles = {"u": "Ünïcödé Models for Naïve Café Reasoning", "e": "🚀 Rocket Science with 🤖 Robots",
              "a": "Math 𝔸𝔹ℂ and Ｆｕｌｌｗｉｄｔｈ Transformers"}
    for slug, title in titles.items():
        write_paper(root / "content", slug, title, f"{title}. Text with emoji 😀 and 𝔥𝔢𝔩𝔩𝔬.")
    build(load_settings(None, root / "content"), root / "site")
    url = static_server(root / "site", "/")
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for query, expected in [("Ünïcödé", titles["u"]), ("cafe\u0301", titles["u"]), ("Rocket", titles["e"]),
                            ("𝔸𝔹ℂ", titles["a"])]:
        page.goto(url + "search/?q=" + query)
        expect(page.locator("#search-results .paper-title").first).to_have_text(expected)
    context.close()
    assert errors == []


LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(total), 300);
})"""


@pytest.mark.parametrize("width", [375, 1280])
def test_search_results_arriving_shift_nothing_on_screen(browser, site_url, width):
    """Lighthouse's CLS, measured the way it measures it (layout-shift entries), below 0.1."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site_url + "search/?q=llama")
    expect(page.locator("#search-results > li").first).to_be_visible()
    shift = page.evaluate(LAYOUT_SHIFT)
    context.close()
    assert shift < 0.1


@pytest.mark.parametrize("path", ["search/?q=reinforcement+learning", "", "top/", "dates/", "organisations/nvidia/",
                                  "topics/continual-learning/"])
def test_nothing_scrolls_sideways_on_a_phone(browser, site_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + path)
    if path.startswith("search"):
        expect(page.locator("#search-results > li").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375


def test_the_press_slash_hint_shows_only_where_there_is_a_keyboard(browser, site_url):
    hints = {}
    for name, options in {"touch": {"is_mobile": True, "has_touch": True}, "desktop": {}}.items():
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(site_url)
        hints[name] = page.get_attribute("#site-search-input", "placeholder")
        context.close()
    assert hints == {"touch": "Search papers", "desktop": "Search papers (press /)"}
