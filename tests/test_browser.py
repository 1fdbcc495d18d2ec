"""The admin in a real browser, as a support agent uses it, on the demo data.

Playwright drives the system's Chromium (Debian's package, installed by .ci/run; never a browser
download) against pytest-django's live server. The agent logs in, finds a member by email from
the front page, credits them with a reason code, follows the banner's link to the new
transaction and reverses it from that page. Screenshots of the main pages are saved in
var/artifacts/screenshots/ (git-ignored) for a person to look at.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from loyalty.admin.navigation import NAVIGATION, entry_url
from loyalty.models import Member, Transaction, TransactionStatus, TransactionType

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "artifacts" / "screenshots"


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """A page of a fresh Chromium profile at a laptop's size."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database reads
    # are synchronous and happen between its calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=LAPTOP,
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            # The test's database connection opened while Playwright's loop ran belongs to
            # that loop's context: close it here, or it outlives the test database.
            connections.close_all()


def shot(page, name: str, *, full_page: bool = True) -> None:
    """A screenshot for a person to look at; long lists and the docs only as the screen shows
    them (the first screenful says what the page looks like, and a full one costs seconds)."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_a_support_agent_finds_credits_and_reverses(live_server, browser):
    call_command("seed_demo", verbosity=0)
    member = Member.objects.get(membership_id="M100013")
    page = browser

    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_selector("#front-page")
    assert page.locator("#counts").inner_text().count("\n") > 3
    panels = page.locator("#tile-panels").inner_text()
    assert "Forwarding to partner programmes" in panels and "AVIOS" in panels
    assert "No card below its low-stock threshold." in panels  # the demo's stock is full
    assert no_sideways_scrolling(page)
    shot(page, "front-page")

    # Find the member by email from the front page's box, and open them.
    page.fill("#find-member-q", member.email)
    page.press("#find-member-q", "Enter")
    page.wait_for_url(re.compile(r"/admin/loyalty/member/\?q="))
    page.get_by_role("link", name=member.membership_id).click()
    page.wait_for_selector("#member-transactions")
    assert no_sideways_scrolling(page)
    shot(page, "member")
    balance_before = member.accounts.get().balance

    # Credit them with a reason code from the contract's list.
    page.get_by_role("link", name="Credit or debit").click()
    page.check("input[name=direction][value=credit]")
    page.fill("input[name=amount]", "1234")
    page.select_option("select[name=reason_code]", "customer_service_issue")
    page.fill("input[name=reason]", "Ticket 4711: points missing for a flight")
    shot(page, "credit-form")
    page.get_by_role("button", name="Record the transaction").click()
    banner = page.locator("text=Credited 1,234 EXAMPLE_POINTS").first
    banner.wait_for()
    credit = Transaction.objects.get(reason="Ticket 4711: points missing for a flight")
    assert credit.reason_code == "customer_service_issue"
    assert member.accounts.get().balance == balance_before + 1234

    # The banner links the new transaction; reverse it from its page.
    page.get_by_role("link", name=credit.public_id).first.click()
    page.wait_for_url(re.compile(rf"/admin/loyalty/transaction/{credit.pk}/change/"))
    shot(page, "transaction")
    page.get_by_role("link", name="Reverse…").click()
    page.fill("input[name=reason]", "Ticket 4711: credited twice")
    page.get_by_role("button", name="Reverse").click()
    page.locator(f"text=Reversed {credit.public_id} by the new transaction").wait_for()
    credit.refresh_from_db()
    assert credit.status == TransactionStatus.REVERSED
    reversal = Transaction.objects.get(type=TransactionType.REVERSAL, reverses=credit)
    assert reversal.created_by_user.username == "admin"
    assert member.accounts.get().balance == balance_before

    # The member's transactions, named in the heading, fit the laptop's screen.
    page.goto(f"{live_server.url}/admin/loyalty/transaction/?member={member.public_id}")
    assert (
        page.locator("#member-heading")
        .inner_text()
        .startswith(f"Transactions of {member.display_name} ({member.membership_id})")
    )
    assert page.get_by_text(f"Reversal of {credit.public_id}").count() >= 1
    assert no_sideways_scrolling(page)
    page.goto(f"{live_server.url}/admin/loyalty/transaction/")
    assert no_sideways_scrolling(page)
    shot(page, "transactions", full_page=False)

    # Back to the front page, and the partner's docs.
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#front-page")
    assert page.get_by_text(f"Reversal of {credit.public_id}").count() == 1
    page.goto(f"{live_server.url}/public/v3.0/docs/")
    page.get_by_text("Signing requests").first.wait_for()
    shot(page, "api-docs", full_page=False)
    for name in ("front-page", "member", "transactions", "transaction", "api-docs"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, name

    # Every list of the navigation fits the laptop's screen too.
    lists = {entry_url(entry).split("?")[0] for _, entries in NAVIGATION for entry in entries}
    too_wide = []
    for path in sorted(lists):
        page.goto(f"{live_server.url}{path}")
        if not no_sideways_scrolling(page):
            too_wide.append(path)
    assert too_wide == []


@pytest.mark.django_db(transaction=True)
def test_finance_sees_the_charts_and_a_large_export_completes(
    live_server, browser, settings, tmp_path, monkeypatch
):
    """The front page draws its three series per currency with Chart.js (local files); a
    transaction export over the streaming limit is queued, its page shows the progress bar
    moving, then the download link, and the file holds every row."""
    import datetime as dt
    import threading
    import time

    from django.contrib.auth.models import User
    from django.db import connections as db_connections
    from django.utils import timezone

    from loyalty import ledger
    from loyalty.selectors import member_account, mint_account
    from loyalty.services import exports
    from loyalty.tasks import run_export
    from tests.factories import LoyaltyCurrencyFactory, MemberFactory

    User.objects.create_superuser("finance", "finance@example.com", "finance")
    currency = LoyaltyCurrencyFactory(code="SKY_POINTS", name="Sky Points")
    mint = mint_account(loyalty_currency=currency)
    account = member_account(member=MemberFactory(loyalty_currency=currency))
    now = timezone.now()
    for day in range(60):
        ledger.post(
            origin=mint,
            destination=account,
            amount=100 + day,
            type="accrual",
            created_at=now - dt.timedelta(days=day),
        )
        if day % 3 == 0:
            ledger.post(
                origin=account,
                destination=mint,
                amount=40,
                type="redemption",
                created_at=now - dt.timedelta(days=day, hours=-1),
            )

    # The worker: started a moment after the export is queued, writing 10 rows per chunk,
    # each chunk a little slow, so the page shows the bar on its way.
    settings.EXPORT_STREAM_LIMIT = 10
    settings.EXPORTS_DIR = tmp_path / "exports"
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    original_chunks = exports.csv_chunks

    def slow_chunks(*args, **kwargs):
        for chunk in original_chunks(*args, **kwargs):
            time.sleep(0.4)
            yield chunk

    monkeypatch.setattr(exports, "csv_chunks", slow_chunks)

    def worker(export_id):
        time.sleep(1.5)
        try:
            run_export(export_id)
        finally:
            db_connections.close_all()

    monkeypatch.setattr(
        run_export,
        "delay",
        lambda export_id: threading.Thread(target=worker, args=(export_id,)).start(),
    )

    page = browser
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "finance")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_selector("#chart-SKY_POINTS canvas")
    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector('#chart-SKY_POINTS canvas'));
            return chart ? chart.data.datasets.map(d => [d.label, d.data.length]) : null;
        }"""
    )
    assert drawn == [["Issued", 90], ["Redeemed", 90], ["Expired", 90]]
    assert page.locator("#liability-now").inner_text().count("Sky Points") == 1
    assert no_sideways_scrolling(page)
    shot(page, "dashboard")

    page.goto(f"{live_server.url}/admin/loyalty/transaction/")
    page.get_by_role("link", name="Export CSV").click()
    page.wait_for_url(re.compile(r"/admin/loyalty/export/\d+/progress/"))
    bar = page.locator("#export-progress")
    assert bar.get_attribute("data-status") in {"queued", "running"}
    page.locator("#export-progress[data-status=running]").wait_for(timeout=20_000)
    shot(page, "export-progress")
    page.locator("#export-download").wait_for(timeout=30_000)
    assert "80 of 80 rows written" in page.locator("#export-rows").inner_text()
    with page.expect_download() as download:
        page.click("#export-download")
    content = Path(download.value.path()).read_bytes()
    assert content.count(b"\r\n") == 1 + 80
    assert content.startswith(b"created_at,id,loyalty_currency,type,")
