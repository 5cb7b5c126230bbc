#!/usr/bin/env python3
"""Reads the handout PDF back and checks it (run by ci/handout).

usage: handout-check.py HANDOUT.pdf book/print.html src/SUMMARY.md

- the paper is A4;
- every chapter title of SUMMARY.md appears in the text;
- no code line is cut off: every word lies inside the page's right margin
  (pdftotext -bbox), and the end of every code line of print.html is in the
  text (a line clipped by its box would lose its end);
- instructor notes (<details class="instructor-notes">) are not in the PDF;
- the page count is sane for the number of chapters.
Prints "handout: N pages, M chapters".
"""

import html
import html.parser
import re
import subprocess
import sys

A4 = (595.0, 842.0)  # points
RIGHT_MARGIN_MM = 14  # theme/handout.css: @page margin 16mm 14mm 18mm 14mm


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def squash(text):
    """Text without any whitespace (wrapping a line only adds whitespace), and
    with straight quotes (mdBook's smart punctuation curls them in prose)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", "", text)


class PrintPage(html.parser.HTMLParser):
    """Code lines and instructor notes of print.html."""

    def __init__(self):
        super().__init__()
        self.code_lines, self.notes = [], []
        self.in_pre = self.boring = self.in_notes = 0
        self.code = self.note = ""

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "pre":
            self.in_pre += 1
        elif tag == "span" and self.in_pre:
            # mdBook hides `# ` lines of Rust blocks; they are never printed.
            self.boring += 1 if ("boring" in classes or self.boring) else 0
        elif tag == "details" and "instructor-notes" in classes:
            self.in_notes += 1

    def handle_endtag(self, tag):
        if tag == "pre" and self.in_pre:
            self.in_pre -= 1
            self.code_lines += self.code.split("\n")
            self.code = ""
        elif tag == "span" and self.boring:
            self.boring -= 1
        elif tag == "details" and self.in_notes:
            self.in_notes -= 1
            self.notes.append(self.note)
            self.note = ""

    def handle_data(self, data):
        if self.in_pre and not self.boring:
            self.code += data
        if self.in_notes:
            self.note += data


def main(pdf, print_html, summary):
    problems = []
    info = run("pdfinfo", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    w, h = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M).groups())
    if abs(w - A4[0]) > 2 or abs(h - A4[1]) > 2:
        problems.append(f"paper is {w:.0f} x {h:.0f} pt, expected A4 ({A4[0]:.0f} x {A4[1]:.0f}); is theme/handout.css in additional-css?")

    text = run("pdftotext", "-layout", pdf, "-")
    flat = squash(text)

    titles = re.findall(r"^\s*(?:-\s*)?\[([^\]]+)\]\([^)]+\.md\)", open(summary).read(), re.M)
    for title in titles:
        if squash(html.unescape(title).replace("`", "")) not in flat:
            problems.append(f"chapter title missing from the PDF: {title!r}")

    # Nothing to the right of the right margin (a little slack for rounding).
    limit = w - RIGHT_MARGIN_MM * 72 / 25.4 + 3
    bbox = run("pdftotext", "-bbox", pdf, "-")
    page = 0
    for line in bbox.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
        if m and float(m.group(1)) > limit:
            problems.append(f"page {page}: {html.unescape(m.group(2))!r} ends at x={float(m.group(1)):.0f} pt, past the right margin ({limit:.0f} pt): a code line is cut off")

    parsed = PrintPage()
    parsed.feed(open(print_html, encoding="utf-8").read())
    cut = [l for l in parsed.code_lines if l.strip() and squash(l)[-24:] not in flat]
    for line in cut[:10]:
        problems.append(f"code line not found whole in the PDF (cut off?): {line.strip()[:100]!r}")
    if len(cut) > 10:
        problems.append(f"... and {len(cut) - 10} more code lines")

    for note in parsed.notes:
        if squash(note) and squash(note)[:60] in flat:
            problems.append(f"instructor notes are printed (should be hidden by theme/handout.css): {note.strip()[:80]!r}")

    if not (len(titles) <= pages <= 40 * max(len(titles), 1)):
        problems.append(f"{pages} pages for {len(titles)} chapters is not a sane handout")

    if problems:
        print("handout check failed:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"handout: {pages} pages, {len(titles)} chapters, {len(parsed.code_lines)} code lines checked, "
          f"{len(parsed.notes)} instructor notes left out ({pdf})")


if __name__ == "__main__":
    main(*sys.argv[1:])
