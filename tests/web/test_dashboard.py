"""The dashboard in headless Chromium: log in, open each view, follow a complaint to its
evidence, switch to English. Each view is saved as a screenshot."""

from __future__ import annotations

import zipfile

from conftest import ADMIN, log_in
from factories import CUSTOMER_COLUMNS, customer, write_csv

# Where the graph drew its first customer node, in pixels of the chart.
FIRST_CUSTOMER_NODE = """() => {
    const chart = echarts.getInstanceByDom(document.getElementById('gang-graph'));
    const data = chart.getModel().getSeriesByIndex(0).getData();
    for (let i = 0; i < data.count(); i++) {
        if (data.getItemModel(i).get('category') === 'customer') {
            return chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
        }
    }
    return null;
}"""


def test_logging_in_opens_the_overview_with_its_charts(page, shots):
    log_in(page)
    page.wait_for_selector("#chart-per-day canvas")
    for chart in ("per-day", "outcomes", "rules", "channels"):
        assert page.locator(f"#chart-{chart} canvas").count() == 1
    assert page.locator("#nav-overview").inner_text() == "总览"
    page.screenshot(path=shots / "overview.png", full_page=True)


def test_a_wrong_password_is_refused(page):
    page.goto(page.base + "/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "not the password")
    page.click("form#login button[type=submit]")
    page.wait_for_selector("#login-error:not(:empty)")
    assert page.locator("#nav-overview").count() == 0


def test_the_complaint_queue_filters_and_leads_to_the_evidence(page, shots):
    log_in(page)
    page.click("#nav-complaints")
    page.wait_for_selector("#queue-filters")
    page.select_option("select[name=outcome]", "malicious")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**outcome=malicious**")
    # the unfiltered table stays shown until the filtered one replaces it
    page.wait_for_function("""() => {
        const badges = [...document.querySelectorAll("table.grid tbody .badge")];
        return badges.length > 0 && badges.every((b) => b.textContent === "恶意投诉"); }""")
    badges = page.locator("table.grid tbody .badge").all_inner_texts()
    assert badges and set(badges) == {"恶意投诉"}
    page.screenshot(path=shots / "complaints.png", full_page=True)
    first = page.locator("table.grid tbody tr").first
    complaint_id = first.get_attribute("data-id")
    first.click()
    page.wait_for_selector("ul.hits li")
    assert complaint_id in page.locator("h2").inner_text()
    assert "****" in page.locator("dl.fields").inner_text()
    page.screenshot(path=shots / "complaint.png", full_page=True)
    page.click("#reveal")
    page.wait_for_selector("p.revealed")
    assert "****" not in page.locator("dl.fields").inner_text()
    assert "null" not in page.locator("main").inner_text()
    page.screenshot(path=shots / "complaint-revealed.png", full_page=True)


def test_the_language_switch_turns_the_labels_english(page, shots):
    log_in(page)
    page.wait_for_selector("#chart-per-day canvas")
    page.click("#lang")
    page.wait_for_selector("#nav-overview:text-is('Overview')")
    page.wait_for_selector("#chart-per-day canvas")
    assert page.locator("#nav-complaints").inner_text() == "Complaint queue"
    page.screenshot(path=shots / "overview-en.png", full_page=True)
    page.click("#lang")


def test_a_gang_opens_as_a_graph_that_grows_on_a_click(page, shots):
    log_in(page)
    page.click("#nav-gangs")
    page.wait_for_selector("table.grid tbody tr")
    page.screenshot(path=shots / "gangs.png", full_page=True)
    page.locator("table.grid tbody tr").first.click()
    page.wait_for_selector("#gang-graph canvas")
    before = int(page.get_attribute("#gang-graph", "data-nodes"))
    assert before > 1
    page.wait_for_timeout(1500)  # let the force layout settle before aiming at a node
    point = page.evaluate(FIRST_CUSTOMER_NODE)
    assert point is not None
    box = page.locator("#gang-graph").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector("#graph-selected[data-expanded='1']")
    after = int(page.get_attribute("#gang-graph", "data-nodes"))
    assert after > before
    page.screenshot(path=shots / "gang.png", full_page=True)


def test_no_cdn_the_page_loads_only_from_the_server(browser, server):
    """Without bypassing the policy: the page works under `default-src 'self'`."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(server + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=password]", ADMIN[1])
    page.click("form#login button[type=submit]")
    page.wait_for_selector("#chart-per-day canvas")
    assert all(url.startswith(server) or url.startswith("data:") for url in requests)
    assert any(url.endswith("/static/vendor/echarts/echarts.min.js") for url in requests)
    context.close()


def test_a_case_shows_its_evidence_and_exports_its_package(page, shots):
    log_in(page)
    page.click("#nav-cases")
    page.wait_for_selector("table.grid tbody tr")
    page.screenshot(path=shots / "cases.png", full_page=True)
    page.locator("table.grid tbody tr").first.click()
    page.wait_for_selector("#export-package")
    assert page.locator("section.card").count() == 3  # evidence, events, audit trail
    with page.expect_download(timeout=120_000) as download:
        page.click("#export-package")
    saved = download.value
    assert saved.suggested_filename.startswith("case-") and saved.suggested_filename.endswith(
        ".zip")
    path = saved.path()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert "manifest.json" in names and "report.pdf" in names
    page.wait_for_selector("#package-status[data-file]")
    page.screenshot(path=shots / "case.png", full_page=False)


def test_the_audit_log_lists_what_was_done(page, shots):
    log_in(page)
    page.click("#nav-audit")
    page.wait_for_selector("table.grid tbody tr")
    actions = page.locator("table.grid tbody tr td:nth-child(4)").all_inner_texts()
    assert "case.open" in actions
    page.screenshot(path=shots / "audit.png", full_page=False)


def test_flagged_posts_show_the_matched_text_in_place(page, shots):
    log_in(page)
    page.click("#nav-content")
    page.wait_for_selector("div.post")
    post = page.locator("div.post").first
    marked = post.locator("mark.term").all_inner_texts()
    assert marked, "a flagged post shows at least one matched term"
    assert all(text and text in post.locator("p.text").inner_text() for text in marked)
    page.screenshot(path=shots / "content.png", full_page=False)


def test_an_export_uploaded_on_the_import_page_is_imported_with_its_bad_rows_counted(
        page, shots, tmp_path):
    rows = [customer(i, customer_id=f"WEB-IMPORT-{i}") for i in range(3)]
    rows[1]["reserved_phone"] = "not-a-phone"
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows)
    log_in(page)
    page.click("#nav-import")
    page.set_input_files("input[name=file]", str(path))
    before = page.locator("#import-results tr").count()
    page.click("#import-form button[type=submit]")
    page.wait_for_function(f"document.querySelectorAll('#import-results tr').length > {before}")
    cells = page.locator("#import-results tr").first.locator("td").all_inner_texts()  # newest
    assert cells[1:3] == ["customers.csv", "customers"] and cells[4:7] == ["已完成", "2", "1"]
    page.click("#import-results button.show-rejects")
    page.wait_for_selector("#import-rejects table.grid tbody tr")
    rejected = page.locator("#import-rejects tbody tr").first.locator("td").all_inner_texts()
    assert rejected[:2] == ["3", "reserved_phone"]  # the header is row 1
    assert "not-a-phone" not in page.content()  # counted by reason, never echoed
    page.screenshot(path=shots / "import.png", full_page=True)
    page.click("#lang")
    page.wait_for_selector("text=Upload and import")
    assert page.locator("#nav-import").inner_text() == "Import"
