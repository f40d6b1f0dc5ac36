#!/usr/bin/env python3
"""Drives Hawtio 4 in headless Chromium for bench/hawtio-check (see there and README, "Hawtio").

Talks the Chrome DevTools protocol over --remote-debugging-pipe (file descriptors 3 and 4, messages ended by NUL):
no WebSocket module is needed and no debugging port is opened that other local users could reach.

Steps, each waiting on a condition with a deadline:
  1. open the Hawtio console and store one connection (Connect plugin, localStorage "connect.connections");
  2. open it with ?con=<id>; the remote answers 401 through Hawtio's proxy, so Hawtio shows "Log in to <name>":
     type the management user and password (HAWTIO_CHECK_PASSWORD) and press "Log in", as an operator would;
  3. wait for the Camel plugin, select the context's "routes" folder and wait until every expected route is in the
     routes table, Started, with completed exchanges; expand pipeline-batch until its steps (the aggregator among
     them) show, which Hawtio reads with an operation (exec) that the application allows only with credentials;
     take a screenshot.
Exit status 0 on success; on failure one line "FAILED: ..." with the page's URL and visible text.
"""
import argparse
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time


class Browser:
    """A headless Chromium and one page, driven over the DevTools pipe."""

    def __init__(self, chromium, profile, width, height, log):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Chromium reads commands from fd 3 and writes answers and events to fd 4 (moved out of the way first,
            # in case either end already is 3 or 4)
            read_end = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=fds,
            close_fds=False)  # dup2 leaves 3 and 4 inheritable; Python's own descriptors close on exec
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.session = None

    def _read_message(self, timeout):
        end = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it start? see its log)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=True, timeout=30):
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            command["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(command).encode() + b"\0")
        while True:
            message = self._read_message(timeout)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails'].get('text')}: {expression[:80]}")
        return result["result"].get("value")

    def navigate(self, url):
        answer = self.send("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise RuntimeError(f"cannot open {url}: {answer['errorText']}")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class CheckFailed(Exception):
    pass


def wait_until(browser, what, expression, deadline):
    """Evaluates expression until it is truthy; returns its value or raises CheckFailed naming what was awaited."""
    while True:
        try:
            value = browser.evaluate(expression)
        except RuntimeError:
            value = None  # a page being replaced has no context for a moment
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out waiting for {what}")
        time.sleep(0.25)


# JavaScript snippets (all read the DOM as a user sees it)
VISIBLE_TEXT = "document.body ? document.body.innerText : ''"


def js_string(value):
    return json.dumps(value)


def set_input(selector, value):
    # React controls the inputs: set the value through the native setter, then fire the input event React listens to
    return ("(() => { const e = document.querySelector(%s); if (!e) return false;"
            " Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, %s);"
            " e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()"
            % (js_string(selector), js_string(value)))


def click_button(text):
    return ("(() => { const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === %s"
            " && !b.disabled); if (!b) return false; b.click(); return true; })()" % js_string(text))


def click_tree_item(text):
    # PatternFly tree view: the item's toggle/text button; the first match is the Camel context's folder
    return ("(() => { const n = [...document.querySelectorAll('.pf-v5-c-tree-view__node-text, "
            ".pf-v5-c-tree-view__node')].find(n => n.innerText.trim() === %s); if (!n) return false;"
            " (n.closest('button') || n).click(); return true; })()" % js_string(text))


def expanded_steps(route_id):
    """Expands the route's tree node; its steps' names once shown (Hawtio builds them from operations), else null."""
    return ("(() => { const n = [...document.querySelectorAll('.pf-v5-c-tree-view__node-text')]"
            ".find(n => n.innerText.trim() === %s); if (!n) return null; const item = n.closest('li');"
            " const steps = [...item.querySelectorAll(':scope li .pf-v5-c-tree-view__node-text')]"
            ".map(s => s.innerText.trim());"
            " if (steps.length) return steps; const toggle = item.querySelector('.pf-v5-c-tree-view__node-toggle');"
            " if (toggle && item.getAttribute('aria-expanded') !== 'true') toggle.click(); return null; })()"
            % js_string(route_id))


def routes_table_rows(route_ids):
    """The routes table's rows of route_ids as {id: {column header: cell text}} once all are there, else null."""
    return ("(() => { const table = document.querySelector('main table, table'); if (!table) return null;"
            " const heads = [...table.querySelectorAll('thead th')].map(h => h.innerText.trim());"
            " const rows = {};"
            " for (const tr of table.querySelectorAll('tbody tr')) {"
            "   const cells = [...tr.querySelectorAll('td')].map(c => c.innerText.trim());"
            "   const row = {}; heads.forEach((h, i) => row[h] = cells[i]);"
            "   if (row.Name) rows[row.Name] = row; }"
            " const ids = %s; return ids.every(id => rows[id]) ? rows : null; })()" % js_string(route_ids))


def run(args, browser):
    deadline = time.monotonic() + args.timeout
    base = args.url.rstrip("/")
    connection_id = "market-etl-check"
    connection = {"id": connection_id, "name": args.name, "scheme": "http", "host": args.host, "port": args.port,
                  "path": args.path}

    browser.open_page()
    browser.navigate(base + "/")
    wait_until(browser, "the Hawtio console at " + base, "document.readyState === 'complete' && "
               "!!document.querySelector('#root, #hawtio-main-page')", deadline)
    browser.evaluate("localStorage.setItem('connect.connections', %s)"
                     % js_string(json.dumps({connection_id: connection})))
    step("stored connection '%s' -> http://%s:%d%s" % (args.name, args.host, args.port, args.path))

    browser.navigate(f"{base}/?con={connection_id}")
    wait_until(browser, "Hawtio's login dialog for the connection ('Log in to %s')" % args.name,
               "!!document.querySelector('#connect-login-form-username')", deadline)
    step("Hawtio asks for the remote's credentials: " + browser.evaluate(
        "(document.querySelector('.pf-v5-c-modal-box__title') || {}).innerText || ''"))
    if not (browser.evaluate(set_input("#connect-login-form-username", args.user))
            and browser.evaluate(set_input("#connect-login-form-password", os.environ["HAWTIO_CHECK_PASSWORD"]))):
        raise CheckFailed("the login dialog has no username/password fields")
    wait_until(browser, "the 'Log in' button", click_button("Log in"), deadline)

    outcome = wait_until(browser, "the Camel plugin after logging in",
                         "(() => { const alert = document.querySelector('#connect-login-form .pf-v5-c-alert');"
                         " if (alert) return 'rejected: ' + alert.innerText.replace(/\s+/g, ' ').trim();"
                         " return location.pathname.includes('/camel')"
                         " && !!document.querySelector('.pf-v5-c-tree-view') && 'camel'; })()", deadline)
    if outcome != "camel":
        raise CheckFailed("Hawtio's login to the application was " + outcome)
    step("logged in; Camel plugin shown at " + browser.evaluate("location.pathname"))
    wait_until(browser, "the Camel tree's 'routes' folder", click_tree_item("routes"), deadline)
    rows = wait_until(browser, "the routes table listing " + ", ".join(args.expect),
                      routes_table_rows(args.expect), deadline)
    step("routes table lists %d routes, among them %s" % (len(rows), ", ".join(args.expect)))
    # the statistics come from the application: the demo simulator's trades flow through every expected route
    while True:
        busy = {r: rows[r] for r in args.expect if rows[r].get("State") == "Started"
                and int(rows[r].get("Completed") or 0) > 0}
        if len(busy) == len(args.expect):
            break
        if time.monotonic() > deadline:
            raise CheckFailed("not every expected route is Started with completed exchanges: %s"
                              % {r: rows[r] for r in args.expect})
        time.sleep(0.5)
        rows = browser.evaluate(routes_table_rows(args.expect)) or rows
    step("; ".join("%s %s, %s completed, %s failed, %s inflight" % (r, row.get("State"), row.get("Completed"),
                   row.get("Failed"), row.get("Inflight", row.get("InFlight"))) for r, row in busy.items()))
    # a route's steps come from operations (dumpRouteAsXml...), which the application allows only with credentials
    steps = wait_until(browser, "the steps of pipeline-batch in the Camel tree (from an operation through the proxy)",
                       expanded_steps("pipeline-batch"), deadline)
    if not any(step_name.endswith(": aggregate") for step_name in steps):
        raise CheckFailed("pipeline-batch shows no aggregate step: %s" % steps)
    step("pipeline-batch's steps: " + ", ".join(steps))
    browser.screenshot(args.screenshot)
    step("screenshot " + args.screenshot)


def step(text):
    print("  hawtio: " + text, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--url", required=True, help="the Hawtio console, e.g. http://127.0.0.1:8080/hawtio")
    parser.add_argument("--name", default="market-etl", help="connection name")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="the application's management port")
    parser.add_argument("--path", default="/observe/jolokia")
    parser.add_argument("--user", required=True, help="management user (password in HAWTIO_CHECK_PASSWORD)")
    parser.add_argument("--expect", required=True, help="comma-separated route ids the routes table must show")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--failure-screenshot", required=True, help="where to put the page when the check fails")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for all steps together")
    parser.add_argument("--log", required=True, help="file for Chromium's own output")
    args = parser.parse_args()
    args.expect = [e for e in args.expect.split(",") if e]

    with open(args.log, "ab") as log, tempfile.TemporaryDirectory(prefix="hawtio-chromium-") as profile:
        browser = Browser(args.chromium, profile, 1920, 1080, log)
        try:
            run(args, browser)
            return 0
        except (CheckFailed, TimeoutError, RuntimeError, OSError) as e:
            where = text = ""
            try:
                where = browser.evaluate("location.href")
                text = " | ".join(line for line in browser.evaluate(VISIBLE_TEXT).splitlines() if line.strip())
                browser.screenshot(args.failure_screenshot)
            except Exception:
                pass
            print(f"FAILED: {e}\n  page: {where}\n  visible text: {text[:1500]}", file=sys.stderr)
            return 1
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
