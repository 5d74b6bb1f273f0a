#!/usr/bin/env python3
"""Times an `lstmlab serve` page in headless Chromium, in real (not virtual) time.

    scripts/serve_timing.py URL [CHART_ID ...] [--samples N]
    scripts/serve_timing.py --archive ARCHIVE [--lstmlab BINARY] [--samples N]

The second form starts `lstmlab serve` on a free loopback port over ARCHIVE, times the compare page with the first
four configurations that have 30 finished runs (mean and bands, then every run), and stops the server.

Drives Debian's `chromium` through the DevTools protocol over a pipe (--remote-debugging-pipe; Python's standard
library only): loads URL N times in a fresh tab and reports, for each chart element, the median time from the start
of navigation until its first drawing (the page writes performance.now() into data-drawn-ms), then the median time
of a zoom and of a log-scale toggle on the first chart (one redraw each), and any console error.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="serve-timing-")
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        os.set_inheritable(to_browser_read, True)
        os.set_inheritable(from_browser_write, True)

        def wire():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            ["timeout", "300", "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "--no-first-run", "about:blank"],
            preexec_fn=wire, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.write = os.fdopen(to_browser_write, "wb", buffering=0)
        self.read = os.fdopen(from_browser_read, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def message(self):
        while b"\0" not in self.buffer:
            chunk = self.read.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            request["sessionId"] = session
        self.write.write(json.dumps(request).encode() + b"\0")
        while True:
            reply = self.message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        self.process.wait(timeout=30)


def evaluate(browser, session, expression):
    result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                          session)
    return result.get("result", {}).get("value")


def option(arguments, name, default):
    if name not in arguments:
        return default
    index = arguments.index(name)
    value = arguments[index + 1]
    del arguments[index:index + 2]
    return value


def main():
    arguments = sys.argv[1:]
    samples = int(option(arguments, "--samples", "3"))
    archive = option(arguments, "--archive", None)
    if archive is None:
        return time_page(arguments[0], arguments[1:] or ["chart-compare"], samples)
    import re
    import urllib.parse
    import urllib.request
    lstmlab = option(arguments, "--lstmlab", ".build/release/lstmlab")
    server = subprocess.Popen([lstmlab, "serve", "--archive", archive, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1)
        base = f"http://127.0.0.1:{port}"
        listing = json.load(urllib.request.urlopen(f"{base}/api/configurations"))
        picks = [c for c in listing if c["finished"] >= 30][:4]
        query = "&".join("c=" + urllib.parse.quote(f"{c['experiment_id']}:{c['configuration']}", safe="") for c in picks)
        print("compare page:", ", ".join(f"{c['experiment']}: {c['configuration']}" for c in picks))
        status = 0
        for mode, extra in (("mean and IQR bands", ""), ("every run", "&mode=runs")):
            print(f"-- {mode}")
            status |= time_page(f"{base}/compare?{query}{extra}", ["chart-compare"], samples)
        return status
    finally:
        server.terminate()
        server.wait(timeout=30)


def time_page(url, charts, samples):
    browser = Browser()
    drawn = {chart: [] for chart in charts}
    zooms, toggles, errors = [], [], []
    try:
        for _ in range(samples):
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Runtime.enable", session=session)
            browser.call("Page.navigate", {"url": url}, session)
            deadline = time.time() + 60
            values = {}
            while time.time() < deadline and len(values) < len(charts):
                for chart in charts:
                    value = evaluate(browser, session,
                                     f"(document.getElementById('{chart}') || {{dataset: {{}}}}).dataset.drawnMs")
                    if value:
                        values[chart] = float(value)
                time.sleep(0.02)
            for chart in charts:
                if chart not in values:
                    raise RuntimeError(f"#{chart} was not drawn within 60 s")
                drawn[chart].append(values[chart])
            # One redraw for a zoom and one for the log scale, timed inside the page.
            zooms.append(evaluate(browser, session, f"""(() => {{
                const g = document.getElementById('{charts[0]}').__graph; if (!g) return null;
                const t = performance.now(); g.updateOptions({{dateWindow: [100, 600]}}); return performance.now() - t; }})()"""))
            toggles.append(evaluate(browser, session, f"""(() => {{
                const g = document.getElementById('{charts[0]}').__graph; if (!g) return null;
                const t = performance.now(); g.updateOptions({{logscale: true}}); return performance.now() - t; }})()"""))
            errors += [e for e in browser.events if e.get("method") in ("Runtime.exceptionThrown",)
                       or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")]
            browser.events.clear()
            browser.call("Target.closeTarget", {"targetId": target})
    finally:
        browser.close()
    for chart in charts:
        print(f"#{chart}: drawn {statistics.median(drawn[chart]):.0f} ms after navigation "
              f"(median of {samples}: {', '.join(f'{v:.0f}' for v in drawn[chart])})")
    if all(v is not None for v in zooms):
        print(f"zoom redraw {statistics.median(zooms):.0f} ms, log-scale redraw {statistics.median(toggles):.0f} ms (medians)")
    print(f"console errors: {len(errors)}")
    for error in errors[:5]:
        print("  ", json.dumps(error)[:300])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
