#!/usr/bin/env bash
# Opens every page of the built book in a real browser (Debian's chromium,
# headless) and fails when a reader would see something broken:
#   - a ```mermaid diagram that did not render: its <pre class="mermaid"> has
#     no <svg> once the page's scripts are done, or shows mermaid's
#     "Syntax error";
#   - a ```mermaid block that the preprocessor never turned into a diagram
#     (it would be left as a code block of language "mermaid");
#   - a link, script, stylesheet or image of the book that points to a file
#     the build does not have, or to a #fragment that is no id on its page;
#   - an uncaught JavaScript error, or a file the page could not load (the
#     browser's own error log: fonts, scripts, styles);
#   - a code listing, or a table, wider than its column in a 1280 x 800
#     window with the sidebar open: the reader would have to scroll sideways
#     (folded <details> blocks are opened first, so their listings count).
# It checks the DOM as the browser built it, not the HTML mdBook wrote.
#
# How: one chromium process, driven over its DevTools protocol on a pipe
# (--remote-debugging-pipe: JSON messages on file descriptors 3 and 4, so no
# network port and no extra package). The script loads each page in a tab,
# waits until mermaid has processed every diagram, reads the DOM back, and
# checks it. Two tabs work at a time (BROWSER_CHECK_TABS=N for another number).
#
# Usage: bash book/browser-check.sh   (builds the book first; needs chromium:
#        `bash lab/setup.sh --browser` installs it)
set -euo pipefail
book=$(cd "$(dirname "$0")" && pwd)
mdbook=$HOME/.cargo/bin/mdbook
[ -x "$mdbook" ] || mdbook=mdbook
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || { echo "book: chromium not found: run bash lab/setup.sh --browser" >&2; exit 1; }
start=$SECONDS

log=$("$mdbook" build "$book" 2>&1) || { echo "$log" >&2; exit 1; }

python3 - "$book/build" "$chromium" "${BROWSER_CHECK_TABS:-2}" <<'PY'
import html.parser, json, os, select, shutil, subprocess, sys, tempfile, time, urllib.parse

build, chromium, tabs = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Every HTML page of the build; 404.html and toc.html are mdBook's own.
pages = sorted(
    os.path.relpath(os.path.join(d, f), build)
    for d, _, files in os.walk(build) for f in files
    if f.endswith(".html") and f not in ("404.html", "toc.html"))
problems = []
PAGE_TIMEOUT = 30  # seconds for one page to load and draw its diagrams
WIDTH = 1280  # the window's width in CSS pixels: listings must fit at it

# Opens every fold, then lists each <pre> (code listing) and each table
# that is wider than the room it has: [kind, overflow in px, first line].
WIDE = """(() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const out = [];
  for (const e of document.querySelectorAll('#mdbook-content pre, #content pre, main pre')) {
    if (e.classList.contains('mermaid')) continue;
    const c = e.querySelector('code') || e;
    for (const x of [e, c]) {
      if (x.scrollWidth > x.clientWidth + 1) {
        out.push(['listing', x.scrollWidth - x.clientWidth,
                  (c.innerText.split('\\n').find(l => l.length > 60) || c.innerText.split('\\n')[0]).slice(0, 90)]);
        break;
      }
    }
  }
  for (const t of document.querySelectorAll('main table')) {
    const w = t.parentElement;
    if (w.scrollWidth > w.clientWidth + 1 || t.scrollWidth > w.clientWidth + 1) {
      out.push(['table', Math.max(w.scrollWidth, t.scrollWidth) - w.clientWidth,
                (t.querySelector('tr') || t).innerText.replace(/\\s+/g, ' ').slice(0, 90)]);
    }
  }
  return out;
})()"""


class Browser:
    """Headless chromium, driven over the DevTools protocol on a pipe."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="browser-check.")
        to_browser, self.cmd = os.pipe()    # chromium reads commands on fd 3
        self.out, from_browser = os.pipe()  # and writes answers on fd 4
        def fds():  # in the child: the pipe ends become its fds 3 and 4
            a, b = os.dup(to_browser), os.dup(from_browser)  # 3 <= a < b
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-renderer-backgrounding",
             "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
             f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self.buf, self.last_id, self.events = b"", 0, []

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.out], [], [], left)[0]:
                return None
            chunk = os.read(self.out, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its end of the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=PAGE_TIMEOUT):
        self.last_id += 1
        msg = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            os.write(self.cmd, json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise RuntimeError(f"chromium is not there to receive {method}: {e}")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m is None:
                raise RuntimeError(f"chromium did not answer {method}")
            if m.get("id") == self.last_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            self.events.append(m)

    def take_events(self, session, method):
        found = [e for e in self.events if e.get("sessionId") == session and e.get("method") == method]
        self.events = [e for e in self.events if e not in found]
        return found

    def evaluate(self, session, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return r.get("result", {}).get("value")

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except RuntimeError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page(html.parser.HTMLParser):
    """What the check needs from one DOM: ids, references, mermaid blocks."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids, self.refs, self.diagrams, self.unprocessed = set(), [], [], 0
        self.pre_depth = 0  # > 0 inside a <pre class="mermaid">
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            if a.get(attr) and tag in ("a", "link", "script", "img", "iframe"):
                self.refs.append((tag, a[attr]))
        classes = (a.get("class") or "").split()
        if tag == "code" and "language-mermaid" in classes:
            self.unprocessed += 1
        if tag == "pre":
            if self.pre_depth:
                self.pre_depth += 1
            elif "mermaid" in classes:
                self.pre_depth = 1
                self.diagrams.append({"svg": False, "text": ""})
        elif self.pre_depth and tag == "svg":
            self.diagrams[-1]["svg"] = True

    def handle_endtag(self, tag):
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1

    def handle_data(self, data):
        if self.pre_depth:
            self.diagrams[-1]["text"] += data


# True once the page at `url` has loaded and mermaid has processed (drawn, or
# given up on) every diagram, or is not there at all (the check then reports
# the diagrams as not drawn).
def ready(url):
    return (f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
            " && (typeof mermaid === 'undefined'"
            " || Array.from(document.querySelectorAll('pre.mermaid'))"
            ".every(e => e.getAttribute('data-processed')))")


parsed = {}
browser = Browser()
try:
    sessions = []
    for _ in range(max(1, tabs)):
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log"):
            browser.call(f"{domain}.enable", session=s)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": False}, session=s)
        sessions.append(s)
    # A round loads one page per tab at once, then collects each.
    for first in range(0, len(pages), len(sessions)):
        batch = [(s, page, "file://" + urllib.parse.quote(os.path.join(build, page)))
                 for s, page in zip(sessions, pages[first:first + len(sessions)])]
        for s, page, url in batch:
            nav = browser.call("Page.navigate", {"url": url}, s)
            if nav.get("errorText"):
                problems.append(f"{page}: the browser could not open it: {nav['errorText']}")
        for s, page, url in batch:
            deadline = time.monotonic() + PAGE_TIMEOUT
            while True:
                try:
                    if browser.evaluate(s, ready(url)):
                        break
                except RuntimeError:
                    pass  # the page is between two documents: ask again
                if time.monotonic() > deadline:
                    problems.append(f"{page}: not loaded, or diagrams not drawn, after {PAGE_TIMEOUT} s")
                    break
                time.sleep(0.05)
            dom = browser.evaluate(s, "document.documentElement.outerHTML") or ""
            parsed[page] = Page(dom)
            # print.html holds every chapter again: checked once, in its own page.
            for kind, over, text in (browser.evaluate(s, WIDE) if page != "print.html" else None) or []:
                problems.append(f"{page}: a {kind} is {over} px too wide at {WIDTH} px: {text}")
            for e in browser.take_events(s, "Runtime.exceptionThrown"):
                d = e["params"]["exceptionDetails"]
                text = d.get("exception", {}).get("description") or d.get("text")
                problems.append(f"{page}: uncaught JavaScript error: {text.splitlines()[0]}")
            for e in browser.take_events(s, "Log.entryAdded"):
                entry = e["params"]["entry"]
                if entry.get("level") == "error":
                    problems.append(f"{page}: browser error: {entry.get('text')} {entry.get('url', '')}".rstrip())
            browser.events = [e for e in browser.events if e.get("sessionId") != s]
except RuntimeError as e:
    print(f"book (browser): talking to chromium failed: {e}", file=sys.stderr)
    sys.exit(1)
finally:
    browser.close()

for page, p in parsed.items():
    for i, d in enumerate(p.diagrams, 1):
        if "Syntax error" in d["text"]:
            problems.append(f"{page}: diagram {i}: mermaid says \"Syntax error\"")
        elif not d["svg"]:
            problems.append(f"{page}: diagram {i} did not render (no <svg> in its <pre class=\"mermaid\">)")
    if p.unprocessed:
        problems.append(f"{page}: {p.unprocessed} mermaid block(s) left as code: did the preprocessor run?")


# Every reference to a file of the book must resolve; every #fragment must be
# an id of its target page as the browser built it.
def ids_of(target):
    if target not in parsed:
        with open(os.path.join(build, target), encoding="utf-8", errors="replace") as f:
            parsed[target] = Page(f.read())
    return parsed[target].ids


for page in list(parsed):
    for tag, ref in parsed[page].refs:
        url = urllib.parse.urlsplit(ref)
        if url.scheme in ("http", "https", "mailto", "javascript", "data"):
            continue
        if url.scheme == "file":
            target = os.path.relpath(urllib.parse.unquote(url.path), build)
        elif url.scheme:
            problems.append(f"{page}: <{tag}> to an unexpected address: {ref}")
            continue
        elif url.path:
            target = os.path.normpath(os.path.join(os.path.dirname(page), urllib.parse.unquote(url.path)))
        else:
            target = page
        if target.startswith(".."):
            problems.append(f"{page}: <{tag}> leads out of the book: {ref}")
            continue
        if os.path.isdir(os.path.join(build, target)):
            target = os.path.join(target, "index.html")
        if not os.path.isfile(os.path.join(build, target)):
            problems.append(f"{page}: <{tag}> to a missing file: {ref}")
        elif url.fragment and target.endswith(".html"):
            if urllib.parse.unquote(url.fragment) not in ids_of(target):
                problems.append(f"{page}: link to a missing #{url.fragment} in {target}")

for p in problems:
    print("book (browser):", p, file=sys.stderr)
if problems:
    sys.exit(1)
diagrams = sum(len(parsed[p].diagrams) for p in pages if p in parsed)
print(f"book (browser): {len(pages)} pages opened in chromium, {diagrams} diagrams drawn, no broken link, "
      f"no listing or table wider than the page at {WIDTH} px")
PY
echo "book (browser): done in $((SECONDS - start)) s"
