#!/usr/bin/env python3
"""Walks every page of the built book in headless Chromium (run by
`cargo xtask browser`, which builds the book and installs what it needs).

Serves BOOK_DIR on 127.0.0.1 (a free port, like `python3 -m http.server
--bind 127.0.0.1`, but in this process so nothing is left running), opens
every .html page and fails on:
- a console error or an uncaught exception;
- a request that fails or answers >= 400 (fonts, scripts, images, the search
  index), except the browser's own favicon requests;
- an image that did not load;
- an internal link to a file that does not exist, or to a #fragment with no
  element of that id on the target page.
Then it types "testcontainers" into the search box and expects results.
Prints "browser: N pages walked, … 0 console errors".
"""

import argparse
import functools
import os
import shutil
import http.server
import pathlib
import sys
import threading
import urllib.parse

from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

SEARCH_TERM = "testcontainers"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The browser closing a connection early (an aborted load) is normal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main(book_dir, min_pages):
    book = pathlib.Path(book_dir).resolve()
    # A walk that finds no pages has checked nothing: fail below the minimum.
    found = len(list(book.rglob("*.html")))
    if found < int(min_pages):
        sys.exit(f"browser: found {found} pages in {book}, expected at least {min_pages}")
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(book)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"

    pages = sorted(p.relative_to(book).as_posix() for p in book.rglob("*.html"))
    problems, ids, links = [], {}, []
    console_errors = 0

    with sync_playwright() as pw:
        executable = shutil.which(os.environ.get("CHROMIUM", "chromium"))
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context()
        # print.html calls window.print() on load; in a headless walk that is
        # a dialog nobody closes.
        context.add_init_script("window.print = () => {};")
        page = context.new_page()
        current = {"path": ""}

        # The one thing not held against the book: the browser's own favicon
        # requests. A page without <link rel=icon> (toc.html, the sidebar's
        # no-JavaScript frame) makes Chromium try /favicon.ico, and a favicon
        # still loading when the walk moves on is aborted.
        def favicon(url):
            return urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1].startswith("favicon")

        def on_console(msg):
            nonlocal console_errors
            if msg.type == "error" and not favicon(msg.location.get("url", "")):
                console_errors += 1
                problems.append(f"{current['path']}: console error: {msg.text} ({msg.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda e: problems.append(f"{current['path']}: uncaught exception: {e}"))
        page.on("requestfailed", lambda r: favicon(r.url)
                or problems.append(f"{current['path']}: request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and r.url.startswith(base)
                and problems.append(f"{current['path']}: {r.status} for {r.url[len(base):]}"))

        for path in pages:
            current["path"] = path
            # Chromium aborts loads with ERR_NETWORK_CHANGED when a network
            # interface comes or goes (other jobs starting containers do
            # that). Not the book's fault: load the page again, up to 3 times.
            for attempt in range(3):
                before, errors_before = len(problems), console_errors
                page.goto(base + path, wait_until="load")
                if attempt < 2 and any("ERR_NETWORK_CHANGED" in p for p in problems[before:]):
                    del problems[before:]
                    console_errors = errors_before
                    continue
                break
            broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
            problems += [f"{path}: broken image {src}" for src in broken]
            ids[path] = set(page.evaluate("Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name'))"))
            hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => [a.getAttribute('href'), a.href])")
            # A bare "#x" means "on this page" to the author; 404.html has
            # <base href="/">, which would resolve it against index.html.
            links += [(path, base + path + raw if raw.startswith("#") else href) for raw, href in hrefs]

        # Search, as a reader does it: the toggle, then typing (mdBook's
        # search listens for keyup, which fill() would not send).
        current["path"] = "index.html (search)"
        page.goto(base + "index.html", wait_until="load")
        results = 0
        try:
            page.click("#mdbook-search-toggle", timeout=10_000)
            page.locator("#mdbook-searchbar").press_sequentially(SEARCH_TERM, delay=20)
            page.wait_for_selector("#mdbook-searchresults li a", timeout=10_000)
            results = page.locator("#mdbook-searchresults li a").count()
        except PlaywrightTimeout as e:
            problems.append(f"search: {e.message.splitlines()[0]}")
        if results == 0:
            problems.append(f'searching for "{SEARCH_TERM}" found nothing')
        browser.close()
    server.shutdown()

    # Internal links: the file must exist, and a #fragment must be an id there.
    checked = external = 0
    for source, href in links:
        url = urllib.parse.urlsplit(href)
        if not href.startswith(base):
            external += url.scheme in ("http", "https")
            continue
        target = urllib.parse.unquote(url.path[len(urllib.parse.urlsplit(base).path):]) or "index.html"
        if target.endswith("/"):
            target += "index.html"
        checked += 1
        if not (book / target).is_file():
            problems.append(f"{source}: link to missing file {target}")
        elif url.fragment and target in ids and urllib.parse.unquote(url.fragment) not in ids[target]:
            problems.append(f"{source}: link to {target}#{url.fragment}, but {target} has no element with that id")

    if problems:
        print("browser check failed:\n  " + "\n  ".join(problems[:60]))
        if len(problems) > 60:
            print(f"  ... and {len(problems) - 60} more")
        sys.exit(1)
    print(f"browser: {len(pages)} pages walked, {checked} internal links checked ({external} external not followed), "
          f'search "{SEARCH_TERM}": {results} results, {console_errors} console errors')


if __name__ == "__main__":
    cli = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cli.add_argument("book_dir", help="the built book (mdbook build)")
    cli.add_argument("min_pages", type=int, help="fail below this many pages")
    main(**vars(cli.parse_args()))
