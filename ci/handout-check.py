#!/usr/bin/env python3
"""Reads a handout PDF back and checks it (run by `cargo xtask handout`).

HANDOUT.html is the page Chromium printed (ci/handout-prepare.py); the
unfiltered print.html next to it is the whole book. Fails on:
- paper that isn't A4;
- no title page (title and edition on page 1);
- a table of contents entry missing, or with a page number other than
  the page its chapter starts on;
- a part or chapter missing from the PDF's bookmarks;
- a page (after the title page) without its number in the footer;
- any word past the right margin (a cut code line or table), a code line
  or table cell of the page not found whole in the text, a "(p. N)" that
  names another page than its link's target is on, or one left
  unresolved, a command split inside a token ("--" / "exact");
- a mention of a page the edition lacks (a title, "Solution: appendix"),
  a Markdown table printed as code, a page holding only a chapter's
  closing recap, a long `$ ` command without its backslashes, a title page
  without the version (commit and date);
- student edition: instructor notes, the instructor pages, the solutions
  chapter, or any line only a solution file has;
- instructor edition: the notes or the solutions missing.
Prints one summary line.
"""

import argparse
import html
import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path

A4 = (595.0, 842.0)  # points
RIGHT_MARGIN_MM = 14  # theme/handout-pdf.css: @page margin 16mm 14mm 18mm 14mm
BOTTOM_MARGIN_MM = 18
MM = 72 / 25.4


def run(*cmd):
    return subprocess.run(
        cmd, check=True, capture_output=True, text=True
    ).stdout


def squash(text):
    """Text without whitespace (wrapping only adds whitespace), with
    straight quotes (mdBook curls them in prose) and no zero-width spaces."""
    for curly, straight in (
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2011", "-"),
    ):
        text = text.replace(curly, straight)
    return re.sub(r"[\s\u200b]+", "", text)


class Page(html.parser.HTMLParser):
    """Code lines, table cells and instructor notes of an HTML page."""

    def __init__(self):
        super().__init__()
        self.code_lines, self.cells, self.notes = [], [], []
        self.in_pre = self.boring = self.in_notes = self.in_cell = 0
        self.code = self.note = self.cell = ""

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "pre":
            self.in_pre += 1
        elif tag == "span" and self.in_pre:
            # mdBook hides `# ` lines of Rust blocks; they are never printed.
            self.boring += 1 if ("boring" in classes or self.boring) else 0
        elif tag == "details" and "instructor-notes" in classes:
            self.in_notes += 1
        elif tag in ("td", "th"):
            self.in_cell += 1

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
        elif tag in ("td", "th") and self.in_cell:
            self.in_cell -= 1
            self.cells.append(self.cell)
            self.cell = ""

    def handle_data(self, data):
        if self.in_pre and not self.boring:
            self.code += data
        if self.in_notes:
            self.note += data
        if self.in_cell:
            self.cell += data


def parse(path):
    page = Page()
    page.feed(Path(path).read_text(encoding="utf-8"))
    return page


def solution_only_lines():
    """Lines that only a solution has: in its solution.rs, not in its
    starter.rs, and nowhere else in the book's sources (a pattern the
    chapters teach elsewhere is not a leak)."""
    sources = [
        p for p in Path("listings").rglob("*.rs") if p.name != "solution.rs"
    ]
    sources += list(Path("src").glob("*.md"))
    elsewhere = "\n".join(p.read_text(errors="replace") for p in sources)
    found = []
    for solution in sorted(
        Path("listings").glob("*/tests/*/exercises/*/solution.rs")
    ):
        for line in solution.read_text().splitlines():
            line = line.strip()
            if (
                len(line) >= 24
                and not line.startswith("//")
                and line not in elsewhere
            ):
                found.append((solution, line))
    return found


# What points at the solutions appendix without naming its title.
SOLUTION_POINTERS = [
    r"Solutions?:\s*appendix",
    r"solutions\s*are\s*in\s*an?\s*appendix",
]


def mentions_of_missing_pages(text, missing_titles, solutions_missing):
    """Where a printed edition still mentions a page it does not contain:
    a missing page's title, or (without the solutions) a pointer at the
    solutions appendix."""
    found = []
    for title in missing_titles:
        if squash(title).lower() in squash(text).lower():
            found.append(f"mentions {title!r}, which this edition lacks")
    for pointer in SOLUTION_POINTERS if solutions_missing else []:
        m = re.search(pointer, text, flags=re.I)
        if m:
            found.append(f"points at a missing page: {m.group(0)!r}")
    return found


def raw_tables(code_lines):
    """A Markdown table's rule row inside a code block: a table printed as
    code (prepare turns a tool's table into a real one)."""
    rule = re.compile(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")
    return [l.strip() for l in code_lines if rule.match(l)]


RECAP = "What you can do now"


def recap_only_pages(bodies):
    """Pages (numbered from 1) holding nothing but a chapter's closing
    recap: its heading first and a few bullet lines."""
    found = []
    for n, text in enumerate(bodies, 1):
        lines = [l.strip() for l in text.splitlines() if l.strip()]
        if lines and lines[0].startswith(RECAP) and len(lines) <= 8:
            found.append(n)
    return found


def long_commands(code_lines, width=78):
    """`$ ` lines the page would wrap with no backslash: copied, they break
    (ci/handout-prepare.py wraps them with one)."""
    return [
        l.strip()
        for l in code_lines
        if l.lstrip().startswith("$ ")
        and len(l.rstrip()) > width
        and not l.rstrip().endswith("\\")
    ]


def selftest():
    """Planted cases: each check must catch what it is for, and pass what
    it is not (run by xtask's tests, so removing a check fails a test)."""
    titles = ["Running the course", "Solutions to the exercises"]
    planted = "The timetables of Running the course (p. 4) are generated."
    assert mentions_of_missing_pages(planted, titles, True), "a title"
    assert mentions_of_missing_pages("wrong? Solution: appendix.", [], True)
    assert mentions_of_missing_pages(
        "The solutions are in an\nappendix.", [], True
    )
    # The instructor edition has the solutions: pointing at them is fine.
    assert not mentions_of_missing_pages("Solution: appendix.", [], False)
    assert not mentions_of_missing_pages("Run the course.", titles, True)
    assert raw_tables(["$ cargo run", "| a | b |", "|---|---:|", "| 1 | 2 |"])
    assert not raw_tables(["let x = a || b;", "| not a rule |"])
    recap = "What you can do now\n- Lay out a crate.\n- Choose tests.\n"
    assert recap_only_pages(["Chapter text\n" * 20, recap]) == [2]
    assert not recap_only_pages(["Text\n" + recap])
    long = "$ cargo test -p user-service --test api -- --ignored --exact " + (
        "exercises::first_test::starter::a_sign_up"
    )
    assert long_commands([long]) and not long_commands(["$ cargo test"])
    print(
        "handout-check selftest: planted mentions, raw tables, recap-only "
        "pages and unwrapped commands caught"
    )


def outline_titles(pdf):
    import pypdf

    reader = pypdf.PdfReader(pdf)
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def main(pdf, handout_html, summary, edition, pages_json):
    problems = []
    info = run("pdfinfo", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    w, h = map(
        float,
        re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M).groups(),
    )
    if abs(w - A4[0]) > 2 or abs(h - A4[1]) > 2:
        problems.append(f"paper is {w:.0f} x {h:.0f} pt, expected A4")

    per_page = run("pdftotext", "-layout", pdf, "-").split("\f")
    # Without the footers: a code line wrapped across a page break must read
    # as one line, not with the page number in its middle.
    bodies = []
    for n, text in enumerate(per_page, 1):
        lines = text.rstrip().splitlines()
        if lines and lines[-1].strip() == str(n):
            lines.pop()
        bodies.append("\n".join(lines))
    flat = squash("".join(bodies))
    # In reading order: a table's cells come out whole, not interleaved
    # with the next column's lines as in the layout text.
    raw = squash(
        "".join(
            re.sub(rf"\s{n}\s*$", "", text)
            for n, text in enumerate(run("pdftotext", pdf, "-").split("\f"), 1)
        )
    )
    book = Path(handout_html).parent
    prepared = Path(handout_html).read_text(encoding="utf-8")
    anchors = json.loads(Path(pages_json).read_text())

    # Title page.
    title = html.unescape(
        re.search(r'<p class="book-title">(.*?)</p>', prepared).group(1)
    )
    edition_word = "Student" if edition == "student" else "Instructor"
    if (
        squash(title) not in squash(per_page[0])
        or edition_word not in per_page[0]
    ):
        problems.append(
            f"page 1 is not a title page with {title!r} and the "
            f"{edition_word} edition"
        )

    # Table of contents: every entry, with the page its target is on.
    toc = re.search(r'<nav class="handout-toc">(.*?)</nav>', prepared, re.S)
    if not toc:
        problems.append("no table of contents")
        entries = []
    else:
        entries = re.findall(
            r'<a href="#([^"]+)"><span class="toc-title">(.*?)</span>'
            r'<span class="toc-page">([^<]*)</span>',
            toc.group(1),
        )
    toc_text = "\n".join(per_page[1:4])
    expected_titles = []
    for anchor, label, number in entries:
        label = html.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        expected_titles.append(re.sub(r"^\d+\.\s*", "", label))
        real = anchors.get(anchor)
        if real is None or str(real) != number:
            problems.append(
                f"contents: {label!r} says page {number}, but it starts "
                f"on page {real}"
            )
        line = next(
            (
                l
                for l in toc_text.splitlines()
                if squash(label)[:30] in squash(l)
            ),
            None,
        )
        if line is None or not line.rstrip().endswith(number):
            problems.append(
                f"contents: no line {label!r} … {number} in the PDF"
            )

    # Bookmarks: every part and chapter of this edition.
    marks = {squash(t) for t in outline_titles(pdf)}
    for t in expected_titles:
        if squash(html.unescape(t).replace("`", "")) not in marks:
            problems.append(f"no bookmark for {t!r}")

    # Page numbers in the footer, words inside the right margin.
    limit_x = w - RIGHT_MARGIN_MM * MM + 3
    footer_y = h - BOTTOM_MARGIN_MM * MM
    numbered, page = set(), 0
    for line in run("pdftotext", "-bbox", pdf, "-").splitlines():
        if "<page " in line:
            page += 1
        m = re.search(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" '
            r'yMax="[\d.]+">(.*)</word>',
            line,
        )
        if not m:
            continue
        y, x_max, word = (
            float(m.group(1)),
            float(m.group(2)),
            html.unescape(m.group(3)),
        )
        if y >= footer_y and word == str(page):
            numbered.add(page)
        if x_max > limit_x:
            problems.append(
                f"page {page}: {word!r} ends at x={x_max:.0f} pt, past the "
                f"right margin ({limit_x:.0f} pt): cut off"
            )
    missing = [p for p in range(2, pages + 1) if p not in numbered]
    if missing:
        problems.append(
            f"pages without a number in the footer: {missing[:10]}"
            f"{' …' if len(missing) > 10 else ''}"
        )

    # Code lines and table cells of the printed page, whole in the text.
    printed = parse(handout_html)
    cut = [
        l
        for l in printed.code_lines
        if l.strip() and squash(l)[-24:] not in flat
    ]
    for line in cut[:10]:
        problems.append(
            "code line not found whole in the PDF (cut off?): "
            f"{line.strip()[:100]!r}"
        )

    # A cell's lines interleave with its neighbours' in both text modes:
    # each of its words must be there whole.
    def found(word):
        """A word is there whole, or (a long one, which may break
        anywhere in a narrow cell) both its ends are."""
        w = squash(word)
        if w in raw or w in flat:
            return True
        parts = [x for x in re.split(r"(?<=::)|(?<=_)|(?<=/)|(?<=-)", w) if x]
        if all(x in raw or x in flat for x in parts):
            return True
        return len(w) > 24 and all(
            x in raw or x in flat for x in (w[:10], w[-10:])
        )

    cells = [c for c in printed.cells if not all(found(w) for w in c.split())]
    for cell in cells[:10]:
        problems.append(
            "table cell not found whole in the PDF (cut off?): "
            f"{cell.strip()[:100]!r}"
        )
    # Every "(p. N)" names the page its link's target is on.
    refs = re.findall(
        r'<a href="#([^"]+)"[^>]*>(?:(?!</a>).)*</a><span class="page-ref">'
        r"\u00a0\(p\.\u00a0(\d+)\)</span>",
        prepared,
        flags=re.S,
    )
    wrong = [(a, n) for a, n in refs if str(anchors.get(a)) != n]
    for anchor, number in wrong[:10]:
        problems.append(
            f"'(p. {number})' after a link to #{anchor}, which is on page "
            f"{anchors.get(anchor)}"
        )
    if "(p.000)" in flat:
        problems.append(
            "a page reference was never resolved: '(p. 000)' is printed"
        )
    # A command split inside a token: a line ending in "--" whose next line
    # starts with a word that follows "--" somewhere in the page
    # ("--" + "exact"); a "--" before a space may end a line.
    options = set(re.findall(r"--([a-z][a-z-]*)", html.unescape(prepared)))
    for n, text in enumerate(per_page, 1):
        lines = [l.strip() for l in text.splitlines() if l.strip()]
        for this, after in zip(lines, lines[1:]):
            word = re.match(r"[a-z][a-z-]*", after)
            if this.endswith("--") and word and word.group(0) in options:
                problems.append(
                    f"page {n}: '--{word.group(0)}' is split across two "
                    f"lines: {this[-50:]!r}"
                )
    if "Version" not in per_page[0]:
        problems.append("the title page gives no version (commit and date)")
    for n in recap_only_pages(bodies)[:10]:
        problems.append(f"page {n} holds only a chapter's closing recap")
    for line in long_commands(printed.code_lines)[:10]:
        problems.append(
            f"a command that wraps without a backslash: {line[:80]!r}"
        )
    whole = parse(book / "print.html")
    summary_text = Path(summary).read_text()
    instructor_pages = re.findall(
        r"\[([^\]]+)\]\((running-the-course|solutions)\.md\)", summary_text
    )
    # Each edition mentions only pages it contains (the student edition
    # lacks the instructor pages), and prints no table as code.
    missing_titles = (
        []
        if edition == "instructor"
        else [name for name, _ in instructor_pages]
    )
    for problem in mentions_of_missing_pages(
        raw, missing_titles, edition == "student"
    )[:10]:
        problems.append(f"{edition} edition {problem}")
    for row in raw_tables(printed.code_lines)[:10]:
        problems.append(f"a Markdown table printed as code: {row[:80]!r}")
    if edition == "student":
        for note in whole.notes:
            if squash(note) and squash(note)[:60] in flat:
                problems.append(
                    "instructor notes in the student edition: "
                    f"{note.strip()[:80]!r}"
                )
        for name, _ in instructor_pages:
            if squash(name) in marks:
                problems.append(f"{name!r} is in the student edition")
        for file, line in solution_only_lines():
            if squash(line) in flat:
                problems.append(
                    f"solution code in the student edition ({file}): "
                    f"{line[:80]!r}"
                )
        if "/solution.rs" in raw or "solution.rs" in flat:
            problems.append("a listing caption names a solution.rs file")
    else:
        shown = sum(1 for note in whole.notes if squash(note)[:60] in flat)
        if whole.notes and shown < len(whole.notes):
            problems.append(
                f"only {shown} of {len(whole.notes)} instructor notes are "
                "printed"
            )
        for name, _ in instructor_pages:
            if squash(name) not in marks:
                problems.append(
                    f"{name!r} is missing from the instructor edition"
                )
        leaks = solution_only_lines()
        if leaks and not any(squash(line) in flat for _, line in leaks):
            problems.append("no solution code in the instructor edition")

    if not (len(entries) <= pages <= 40 * max(len(entries), 1)):
        problems.append(
            f"{pages} pages for {len(entries)} contents entries is not a "
            "sane handout"
        )

    if problems:
        print(f"handout check failed ({pdf}):\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(
        f"handout ({edition}): {pages} pages, {len(entries)} contents "
        "entries with page numbers and bookmarks, "
        f"{len(printed.code_lines)} code lines and {len(printed.cells)} "
        "table cells whole, "
        f"{len(numbered)} numbered pages ({pdf})"
    )


if __name__ == "__main__":
    cli = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = cli.add_subparsers(dest="command", required=True)
    commands.add_parser("selftest", help="the checks against planted cases")
    check = commands.add_parser("check", help="check one printed handout")
    for name in ["pdf", "handout_html", "summary", "edition", "pages_json"]:
        check.add_argument(name)
    args = vars(cli.parse_args())
    selftest() if args.pop("command") == "selftest" else main(**args)
