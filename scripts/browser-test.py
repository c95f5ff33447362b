#!/usr/bin/env python3
"""End-to-end test of the web console in headless Chromium (Selenium), against a real server.

An owner signs in, creates a bot, an agent, hooks (and tests one) and a data source it syncs; a visitor
chats in the widget and asks for a human; the agent sees it appear live in the inbox, claims, replies
(the visitor sees it), each sees the other typing, and releases; the visitor rates it; with automatic
assignment the next escalation is the agent's at once, and one while the agent is away expires with the bot's
note; the hook deliveries appear in the console's log. Every screen is
saved under screenshots/ (git-ignored), at desktop and phone widths.

Usage: scripts/browser-test.py [path/to/switchboard]
"""

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    """A hook target that answers 200 and remembers each event type it got."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.received.append((self.headers.get("X-Secret-Key"), body, self.headers.get("X-Tenant")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def start_server(binary, folder):
    port = free_port()
    out = open(os.path.join(folder, "out.txt"), "w+")
    log = open(os.path.join(folder, "log.txt"), "w")
    process = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--database", os.path.join(folder, "db.sqlite"),
         "--allow-private-targets"],
        cwd=ROOT, stdout=out, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    out.seek(0)
    key = re.search(r"sk_[0-9a-f]+", out.read()).group(0)
    return process, base, key


def browser():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=1366,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


class Page:
    """One browser window and the waits the test needs."""

    def __init__(self, driver, handle):
        self.driver, self.handle = driver, handle

    def focus(self):
        self.driver.switch_to.window(self.handle)
        return self

    def find(self, css, timeout=10):
        self.focus()
        return WebDriverWait(self.driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css):
        self.focus()
        try:
            WebDriverWait(self.driver, 10).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        except TimeoutException:
            self.driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
            raise AssertionError(f"{css} never became clickable (screenshots/failure.png)")
        element = self.find(css)
        # Centred, not at the top edge where Selenium scrolls it: the sticky top bar would take the click.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def type(self, css, text, submit=False):
        field = self.find(css)
        field.clear()
        field.send_keys(text)
        if submit:
            field.send_keys(Keys.ENTER)

    def wait_text(self, css, text, timeout=10):
        self.focus()
        try:
            WebDriverWait(self.driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        except TimeoutException:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise AssertionError(f"{text!r} never appeared in {css}: {shown}")

    def wait_gone(self, css, timeout=10):
        self.focus()
        WebDriverWait(self.driver, timeout).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, css)))

    def button(self, scope, label):
        """The button labelled `label` inside the element `scope`."""
        for candidate in self.find(scope).find_elements(By.TAG_NAME, "button"):
            if candidate.text.strip() == label:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", candidate)
                return candidate
        raise AssertionError(f"no button {label!r} in {scope}")

    def shot(self, name):
        self.focus()
        time.sleep(0.3)  # let transitions settle
        self.driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))
        print(f"  screenshot {name}.png")


class SlowSite(http.server.BaseHTTPRequestHandler):
    """A site for a sitemap data source: no robots.txt, a sitemap of PAGES pages, each a little slow to answer."""

    PAGES = 16

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/sitemap.xml":
            locations = "".join(f"<url><loc>{base}/page-{n}</loc></url>" for n in range(1, SlowSite.PAGES + 1))
            self.answer(200, "application/xml",
                        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locations}</urlset>')
        elif self.path.startswith("/page-"):
            time.sleep(0.5)
            number = self.path.split("-")[1]
            self.answer(200, "text/html", f"<title>Page {number}</title><p>Help page {number} explains feature {number}.</p>")
        else:
            self.answer(404, "text/plain", "not found")

    def answer(self, status, content_type, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def pdf(text):
    """A one-page PDF showing `text` in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    table = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n".encode()
    return out


def api(base, key, path):
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def step(text):
    print(f"- {text}", flush=True)


def run(binary):
    os.makedirs(SHOTS, exist_ok=True)
    folder = tempfile.mkdtemp()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    server, base, key = start_server(binary, folder)
    driver = browser()
    try:
        owner = Page(driver, driver.current_window_handle)

        step("the owner signs in with the key")
        driver.get(f"{base}/")
        owner.find("#owner-key")
        owner.shot("01-console-sign-in")
        owner.type("#owner-key", "sk_wrong")
        owner.click("#signin-form button[type=submit]")
        owner.wait_text("#signin-error", "not a valid owner key")
        refused = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert len(refused) == 1 and "/api/v1/workspace" in refused[0] and "status of 401" in refused[0], refused
        owner.type("#owner-key", key)
        owner.click("#signin-form button[type=submit]")
        owner.wait_text("#usage", "storage tokens this month")

        step("creates a bot and turns human takeover on")
        owner.type("#new-bot-name", "Support bot")
        owner.click("#new-bot button[type=submit]")
        owner.wait_text("#bot-title", "Support bot")
        bot_id = driver.current_url.split("#")[1].split("/")[0]
        owner.find("label[for=takeover]").click()
        WebDriverWait(driver, 10).until(lambda _: api(base, key, f"/api/v1/bots/{bot_id}")["humanTakeoverEnabled"])

        step("adds an agent and reads the token shown once")
        owner.type("#new-agent-name", "Alex Agent")
        owner.type("#new-agent-email", "alex@example.com")
        owner.click("#new-agent button[type=submit]")
        agent_token = owner.find("#agent-token").text
        assert agent_token.startswith("ak_"), agent_token
        owner.shot("02-console-agent-token")
        owner.find("dialog .primary").click()
        owner.wait_gone("dialog")

        step("adds hooks for escalations and releases (ordered, paced, with a header of its own), and tests one")
        for event in ["conversation.escalated", "conversation.released"]:
            Select(owner.find("#hook-type")).select_by_value(event)
            owner.type("#hook-target", target)
            if event == "conversation.released":
                owner.wait_text("#hook-type-about", "went back to the bot")  # the catalogue's description
                Select(owner.find("#hook-ordering-new")).select_by_value("conversation")
                owner.type("#hook-pace-new", "5")
                owner.type("#hook-headers-new", "X-Tenant: acme")
            owner.click("#new-hook button[type=submit]")
            owner.find(f"[data-hook-type='{event}']")
        owner.wait_text("[data-hook-type='conversation.released'] .hook-settings",
                        "Each conversation in sequence · at most 5/s · extra headers: X-Tenant")
        owner.button("[data-hook-type='conversation.escalated']", "Test").click()
        owner.wait_text("[data-hook-type='conversation.escalated'] .test-result", "Delivered")
        owner.wait_text("[data-hook-type='conversation.escalated'] .test-result", "HTTP 200")
        owner.button("[data-hook-type='conversation.escalated'] .secret", "Show").click()
        owner.shot("03-console-hooks")

        step("rotates the escalation hook's secret with a day's overlap")
        card = "[data-hook-type='conversation.escalated']"
        Select(owner.find(f"{card} select[aria-label='Keep the old secret valid for']")).select_by_value("86400")
        owner.button(card, "Rotate secret").click()
        owner.find("dialog .primary").click()
        owner.wait_text(f"{card} [data-overlap]", "previous secret stays valid until")
        # Every toast gone (each lasts 3 s): they would cover the next form's button
        WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#toasts .toast"))

        step("adds a text data source, a row, estimates and syncs it")
        owner.click("#tab-data-sources")
        owner.type("#source-name", "Help centre")
        owner.click("#new-source button[type=submit]")
        owner.wait_text("#source-title", "Help centre")
        owner.type("#row-key", "returns")
        owner.type("#row-title", "Returns")
        owner.type("#row-content", "You can return any item within 30 days of delivery for a full refund.")
        owner.click("#source-detail form[aria-label='Add or edit a row'] button[type=submit]")
        owner.wait_text("#source-detail table", "returns")
        owner.button("#source-detail .card header", "Estimate").click()
        owner.wait_text("#estimate", "Within the plan")
        owner.button("#source-detail .card header", "Sync now").click()
        owner.find("#sync-history tr[data-sync-status=succeeded]", timeout=20)
        owner.wait_text("#source-detail", "full refund")
        owner.wait_text("#usage-text", "of 1,000,000")
        owner.type("#ask-question", "How long do I have to return something?")
        owner.click("#ask button[type=submit]")
        owner.wait_text("#ask-results", "Would answer")
        owner.wait_text("#ask-results", "Returns")
        owner.shot("04-console-data-sources")

        step("an agent signs in to the inbox")
        driver.switch_to.new_window("window")
        agent = Page(driver, driver.current_window_handle)
        driver.get(f"{base}/agent.html")
        agent.type("#agent-token", agent_token)
        agent.click("#signin-form button[type=submit]")
        agent.wait_text("#live", "Live")
        agent.shot("05-inbox-empty")

        step("a visitor chats in the widget and asks for a human")
        driver.switch_to.new_window("window")
        visitor = Page(driver, driver.current_window_handle)
        driver.get(f"{base}/widget.html?bot={bot_id}")
        visitor.type("#message", "How many days do I have to return an item?", submit=True)
        visitor.wait_text("#transcript .bubble.bot", "within 30 days of delivery")
        visitor.wait_text("#transcript .bubble.bot .sources", "Returns")
        visitor.type("#message", "Hi! Where is my order?", submit=True)
        visitor.wait_text("#transcript", "don't know the answer")
        visitor.shot("06-widget-bot-answers")
        visitor.click("#talk-to-human")
        visitor.type("#email", "sam@example.com")
        visitor.click("#escalate-form button[type=submit]")
        visitor.wait_text("#status", "Waiting for a person")
        visitor.wait_text("#transcript", "asked a person to join")
        visitor.shot("07-widget-escalated")

        step("the agent sees it appear live, claims and replies")
        agent.wait_text("#waiting", "sam@example.com")
        agent.shot("08-inbox-waiting")
        agent.click("#waiting button[data-conversation-id]")
        agent.wait_text(".transcript", "Where is my order?")
        agent.click("#claim")
        agent.wait_text("#conversation-state", "Active")
        agent.type("#reply-text", "Hi Sam, I'm Alex. Your order left our warehouse this morning.", submit=True)
        agent.wait_text(".transcript", "left our warehouse")
        agent.shot("09-inbox-active")

        step("the visitor sees the agent join and the reply")
        visitor.wait_text("#transcript", "Alex Agent joined the conversation")
        visitor.wait_text("#transcript", "left our warehouse")
        visitor.wait_text("#status", "chatting with Alex Agent")
        visitor.type("#message", "Great, thank you!", submit=True)
        visitor.shot("10-widget-agent")
        agent.wait_text(".transcript", "Great, thank you!")

        step("each sees the other typing")
        agent.find("#reply-text").send_keys("Anything else")
        visitor.wait_text("#typing", "Alex Agent is typing")
        visitor.find("#message").send_keys("One more")
        agent.wait_text("#typing", "The visitor is typing")
        agent.shot("10b-inbox-typing")
        agent.find("#reply-text").clear()
        visitor.find("#message").clear()

        step("the agent releases; the visitor sees it")
        agent.click("#release")
        agent.wait_text("#conversation-state", "Resolved")
        notes = [n.text for n in driver.find_elements(By.CSS_SELECTOR, ".transcript .note")]
        assert notes.count("Handed back to the bot.") == 1, notes
        visitor.wait_text("#transcript", "Alex Agent left the conversation")
        visitor.wait_text("#status", "The bot is back")
        visitor.shot("11-widget-released")

        step("the visitor rates the conversation, once")
        visitor.find("#rating")
        visitor.find("label[for=star-4]").click()
        visitor.type("#rating-comment", "Quick and kind")
        visitor.click("#rating-form button[type=submit]")
        visitor.wait_text("#transcript", "Thank you for rating this conversation 4 of 5")
        visitor.wait_gone("#rating")

        step("the owner turns on automatic assignment and a 5-second escalation timeout, and sees the rating")
        owner.focus()
        owner.click("#tab-handoff")
        owner.wait_text("#rating-average", "4.0 of 5")
        owner.wait_text("#ratings", "Quick and kind")
        Select(owner.find("#assignment")).select_by_value("auto")
        owner.type("#escalationTimeoutSeconds", "5")
        owner.type("#escalationExpiredMessage", "Nobody is free right now; we will write to {email}.")
        owner.click("#handoff-form button[type=submit]")
        WebDriverWait(driver, 10).until(lambda _: api(base, key, f"/api/v1/bots/{bot_id}")["assignment"] == "auto")
        owner.shot("16-console-handoff")

        step("the visitor asks again: the connected agent gets it at once")
        visitor.click("#talk-to-human")
        visitor.type("#email", "sam@example.com")
        visitor.click("#escalate-form button[type=submit]")
        visitor.wait_text("#status", "chatting with Alex Agent")
        agent.wait_text("#active", "With you")
        agent.wait_text("#my-load", "1 of 3 active")
        agent.shot("17-inbox-assigned")
        agent.click("#active button[data-conversation-id]")
        agent.click("#release")
        visitor.wait_text("#status", "The bot is back")
        assert not visitor.find("#transcript").find_elements(By.CSS_SELECTOR, "#rating:not([hidden])")
        assert driver.find_element(By.ID, "rating").get_attribute("hidden") is not None, "rated once: no second prompt"

        step("the agent goes away; the next escalation waits, counts down and expires with the bot's note")
        Select(agent.find("#my-status")).select_by_value("away")
        WebDriverWait(driver, 10).until(
            lambda _: api(base, key, "/api/v1/agents")["data"][0]["status"] == "away")
        visitor.click("#talk-to-human")
        visitor.type("#email", "sam@example.com")
        visitor.click("#escalate-form button[type=submit]")
        visitor.wait_text("#status", "Waiting for a person")
        agent.wait_text("#waiting", "expires:")
        agent.shot("18-inbox-countdown")
        visitor.wait_text("#transcript", "Nobody is free right now; we will write to sam@example.com.", timeout=20)
        visitor.wait_text("#status", "chatting with our bot")
        visitor.shot("19-widget-expired")
        agent.wait_text("#waiting", "No one is waiting")

        step("the deliveries appear in the console's log")
        owner.focus()
        owner.click("#tab-hooks")
        for event in ["conversation.escalated", "conversation.released"]:
            card = f"[data-hook-type='{event}']"
            owner.find(f"{card} details.delivery-log summary").click()
            deadline = time.time() + 15
            while not driver.find_elements(By.CSS_SELECTOR, f"{card} tr[data-delivery-status=succeeded]"):
                assert time.time() < deadline, f"no succeeded delivery of {event} in the log"
                owner.button(f"{card} details.delivery-log", "Refresh").click()
                time.sleep(0.5)
            owner.wait_text(f"{card} details.delivery-log", event)
        owner.button("[data-hook-type='conversation.escalated'] tr[data-delivery-status=succeeded]", "Attempts").click()
        owner.wait_text("[data-hook-type='conversation.escalated'] details.delivery-log ol", "HTTP 200")
        owner.shot("12-console-delivery-log")
        assert len(Receiver.received) >= 3, "the test delivery, the escalation and the release"
        assert any(tenant == "acme" for _, _, tenant in Receiver.received), "the release carried its X-Tenant header"

        step("recovers the log's failed deliveries since an hour ago (none failed)")
        card = "[data-hook-type='conversation.escalated']"
        driver.execute_script("""
            const input = document.querySelector(arguments[0]);
            const hourAgo = new Date(Date.now() - 3600e3 - new Date().getTimezoneOffset() * 60e3);
            input.value = hourAgo.toISOString().slice(0, 16);
            input.dispatchEvent(new Event('change'));""", f"{card} input[aria-label='Created since']")
        owner.button(f"{card} details.delivery-log", "Recover failed").click()
        owner.wait_text("#toasts", "0 failed deliveries queued again")

        step("uploads a PDF and a Markdown file to a file data source")
        owner.focus()
        owner.click("#tab-data-sources")
        owner.type("#source-name", "Manuals")
        Select(owner.find("#source-type")).select_by_value("file")
        owner.click("#new-source button[type=submit]")
        owner.wait_text("#source-title", "Manuals")
        uploads = {"manual.pdf": pdf("Hold the power button for ten seconds to reset the device."),
                   "guide.md": b"# Guide\n\nCharge the device fully before first use."}
        for name, content in uploads.items():
            with open(os.path.join(folder, name), "wb") as file:
                file.write(content)
        owner.find("#upload-files").send_keys("\n".join(os.path.join(folder, name) for name in uploads))
        owner.click("#upload-form button[type=submit]")
        owner.wait_text("#source-detail table", "manual.pdf")
        owner.wait_text("#source-detail table", "power button")
        owner.wait_text("#source-detail table", "guide.md")
        owner.shot("16-console-file-upload")

        step("a site's sitemap syncs, its progress bar moving")
        site = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), SlowSite)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        owner.type("#source-name", "Help site")
        Select(owner.find("#source-type")).select_by_value("url")
        owner.type("#source-sitemap", f"http://127.0.0.1:{site.server_address[1]}/sitemap.xml")
        owner.click("#new-source button[type=submit]")
        owner.wait_text("#source-title", "Help site")
        owner.button("#source-detail .card header", "Sync now").click()
        owner.find("#sync-progress progress", timeout=15)
        seen = set()
        deadline = time.time() + 15
        while len(seen) < 2 and time.time() < deadline:
            seen.add(driver.execute_script(
                "const bar = document.querySelector('#sync-progress progress'); return bar ? bar.value : null"))
            seen.discard(None)
            time.sleep(0.1)
        assert len(seen) >= 2, f"the progress bar never moved: {seen}"
        owner.shot("17-console-sync-progress")
        owner.find("#sync-history tr[data-sync-status=succeeded]", timeout=30)
        owner.wait_gone("#sync-progress progress")
        owner.wait_text("#source-detail table", "page-16")
        site.shutdown()

        step("the usage report charts the month's tokens per day")
        owner.click("#usage-link")
        owner.find("#usage-chart")
        owner.wait_text("#usage-total", "of 1,000,000")
        used = api(base, key, "/api/v1/workspace")["storageTokensUsedThisMonth"]
        days = driver.execute_script(
            "return [...document.querySelectorAll('#usage-chart rect[data-tokens]')].map((bar) => +bar.dataset.tokens)")
        assert sum(days) == used and len([day for day in days if day > 0]) == 1, (days, used)
        owner.wait_text("#usage-table", "Help site")
        owner.wait_text("#usage-table", "Help centre")
        owner.shot("18-console-usage")
        driver.execute_script("location.hash = arguments[0]", f"{bot_id}/hooks")
        owner.find("#tab-hooks")

        step("every page reads on a phone")
        for page, name in [(visitor, "13-phone-widget"), (agent, "14-phone-inbox"), (owner, "15-phone-console")]:
            page.focus()
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
            page.shot(name)
            wide = driver.execute_script("""
                return [...document.querySelectorAll('body *')]
                    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .filter((e) => !e.parentElement.closest('.table-wrap'))  // wide tables scroll in their own box
                    .slice(-3).map((e) => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""")
            assert not wide, f"{name}: wider than the phone: {wide}"
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        step("keyboard: the console's tabs move with the arrow keys")
        owner.focus()
        owner.find("#tab-hooks").send_keys(Keys.ARROW_RIGHT)
        owner.wait_text("#main", "Add a data source")

        step("no script errors and no failed requests on any page")
        # Chromium logs each failed request ("Failed to load resource: … status of 404") as SEVERE: the flow above
        # provokes one (the wrong key's 401, checked there), so any other 4xx or 5xx is a console bug or a server
        # error.
        problems = []
        for page in [owner, agent, visitor]:
            page.focus()
            problems += [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not problems, "\n".join(problems)
        print("browser tests: all passed")
    except BaseException:
        with open(os.path.join(folder, "log.txt")) as log:
            print("server log (last 4,000 characters):\n" + log.read()[-4000:])
        raise
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=20)
        receiver.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/switchboard"))
