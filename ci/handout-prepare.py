#!/usr/bin/env python3
"""Turns mdBook's print.html into the page Chromium prints as a handout.

Run by `cargo xtask handout` (ci/xtask/src/handout.rs), which renders the
result, reads back on which page every link target landed, and runs this
again with those pages until the numbers stop moving.

- EDITION `student`: leaves out the instructor pages (running-the-course),
  the solutions and the instructor notes; links into what was left out
  become plain text, and every sentence linking to them goes ("Solution:
  appendix.").
- Both: a Markdown table printed by a tool inside a text block (a
  benchmark's output) becomes a table, the lines around it stay code; a
  long `$ ` command is wrapped with backslashes so it still runs when
  copied; a chapter's closing recap goes before its exercise (never a
  recap alone on a page); the title page gives the commit and its date.
- EDITION `instructor`: everything, with the instructor notes opened.
- Adds a title page, a table of contents with page numbers, the part
  headings of SUMMARY.md (each on a page of its own, chapters nested
  under them in the PDF's bookmarks), a chapter number above each title,
  and "(p. N)" after every link to another place in the book.
- Inline code breaks only at spaces (never inside `--exact`); code blocks
  are laid out by theme/handout-pdf.js (continuation lines keep their
  indentation).
Writes BOOK_DIR/handout-<EDITION>.html.
"""

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path

BREAK = '<div style="break-before: page; page-break-before: always;"></div>'
INSTRUCTOR_ONLY = {"running-the-course.md", "solutions.md"}


def summary_entries(summary):
    """(part title or None, file, title, number or None) in book order."""
    entries, part, number = [], None, 0
    for line in Path(summary).read_text().splitlines():
        if line.startswith("# ") and not line.startswith("# Summary"):
            part = line[2:].strip()
            continue
        m = re.match(r"^(\s*)(- )?\[([^\]]+)\]\(([^)]+\.md)\)", line)
        if not m:
            continue
        numbered = bool(m.group(2)) and not m.group(1)
        if numbered:
            number += 1
        # A prefix or suffix chapter (no "- ") belongs to no part.
        entries.append(
            (
                part if m.group(2) else None,
                m.group(4),
                m.group(3),
                number if numbered else None,
            )
        )
    return entries


def ids_in(fragment):
    return set(re.findall(r'\bid="([^"]+)"', fragment))


def demote(fragment):
    """h1 → h2 … h5 → h6, so a part's chapters nest under it."""
    return re.sub(
        r"<(/?)h([1-5])\b",
        lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}",
        fragment,
    )


def token(text, in_table):
    """A token of inline code (up to 90 characters, a line's width) that
    lines break around, not inside. In a
    narrow table column a long token may break, but only after `::`, `_`
    or `/`, never at a hyphen."""
    if text.strip() == "" or len(text) > 90:
        return text
    if not in_table or len(text) <= 24:
        return f'<span class="tok">{text}</span>'
    text = text.replace("-", "\u2011")
    text = re.sub(r"(::|_|/)", r"\1<wbr>", text)
    return f'<span class="tok tok-long">{text}</span>'


def long_words_may_break(table):
    """In a table, a word of prose longer than a column can be (a path, a
    timestamp in a quoted message) may break anywhere; otherwise it would
    widen its column until the table runs off the page."""

    def text(m):
        words = re.split(r"(\s+)", m.group(1))
        return (
            ">"
            + "".join(
                f'<span class="long-word">{w}</span>' if len(w) > 24 else w
                for w in words
            )
            + "<"
        )

    parts = re.split(r"(<code\b.*?</code>)", table, flags=re.S)
    return "".join(
        p if p.startswith("<code") else re.sub(r">([^<]+)<", text, p)
        for p in parts
    )


def nobreak_inline_code(fragment, in_table=False):
    """Inline <code> (not inside <pre>): wrap each space-separated token in a
    span that doesn't break, so `--exact` stays whole. Code blocks are left
    to the JS, which runs after highlighting."""
    out, pos = [], 0
    for m in re.finditer(
        r"<pre\b.*?</pre>|<code\b[^>]*>(.*?)</code>", fragment, re.S
    ):
        out.append(fragment[pos : m.start()])
        if m.group(0).startswith("<pre"):
            out.append(m.group(0))
        else:
            open_tag = m.group(0)[: m.group(0).index(">") + 1]
            inner = m.group(1)
            if "<" in inner:  # already marked up: leave it
                out.append(m.group(0))
            else:
                tokens = re.split(r"( +)", inner)
                inner = "".join(token(t, in_table) for t in tokens)
                out.append(f"{open_tag}{inner}</code>")
        pos = m.end()
    out.append(fragment[pos:])
    return "".join(out)


def sentences(text):
    """A paragraph's sentences, each with the space after it: a sentence
    ends at ".", "?" or "!" before white space."""
    return re.findall(r".*?(?:[.?!](?=\s|$)\s*|$)", text, flags=re.S)


def without_sentences_linking(fragment, dropped_ids):
    """Each sentence of a paragraph that links to a page this edition
    lacks is left out; a paragraph left empty goes whole. (List items may
    nest, which a pattern cannot follow: their links become plain text,
    and the check finds what they still mention.)"""

    def links_dropped(text):
        return any(
            a in dropped_ids for a in re.findall(r'<a href="#([^"]+)"', text)
        )

    def filter_element(m):
        tag, inner = m.group(1), m.group(2)
        if not links_dropped(inner):
            return m.group(0)
        kept = "".join(
            s for s in sentences(inner) if s and not links_dropped(s)
        )
        return f"<{tag}>{kept.rstrip()}</{tag}>" if kept.strip() else ""

    return re.sub(r"<(p)>(.*?)</\1>", filter_element, fragment, flags=re.S)


TABLE_ROW = re.compile(r"^\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")


def cell_html(text):
    """A Markdown cell's **bold** and `code`, as mdBook would render them."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def markdown_table(rows):
    """Markdown table rows (header, rule, body) → an HTML table."""
    cells = [[c.strip() for c in r.strip()[1:-1].split("|")] for r in rows]
    head = "".join(f"<th>{cell_html(c)}</th>" for c in cells[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in row) + "</tr>"
        for row in cells[2:]
    )
    return (
        f'<div class="table-wrapper"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def tables_out_of_code(fragment):
    """A generated output that prints a Markdown table (a benchmark's
    summary) is shown in a text block; on paper its rows are a table, with
    the lines around it kept as code."""

    def split_block(m):
        open_code, inner = m.group(1), m.group(2)
        if "<span" in inner:  # highlighted code: never a tool's table
            return m.group(0)
        lines = inner.split("\n")
        starts = [
            i
            for i in range(len(lines) - 1)
            if TABLE_ROW.match(lines[i]) and TABLE_RULE.match(lines[i + 1])
        ]
        if not starts:
            return m.group(0)
        out, pos = [], 0
        for start in starts:
            if start < pos:
                continue
            end = start
            while end < len(lines) and TABLE_ROW.match(lines[end]):
                end += 1
            before = "\n".join(lines[pos:start]).strip("\n")
            if before:
                out.append(f"<pre>{open_code}{before}</code></pre>")
            out.append(markdown_table(lines[start:end]))
            pos = end
        after = "\n".join(lines[pos:]).strip("\n")
        if after:
            out.append(f"<pre>{open_code}{after}</code></pre>")
        return "".join(out)

    return re.sub(
        r"<pre>(<code\b[^>]*>)(.*?)</code></pre>",
        split_block,
        fragment,
        flags=re.S,
    )


# A printed command line longer than this is broken into lines ending in
# " \\", so it still runs when copied (Chromium's wrap would break it with
# no backslash); the A4 code column holds a little more.
COMMAND_WIDTH = 76


def shell_words(line):
    """A command's words, a quoted string (which may hold spaces) whole."""
    words, word, quote = [], "", None
    for ch in line:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == " ":
            if word:
                words.append(word)
            word = ""
            continue
        word += ch
    if word:
        words.append(word)
    return words


def wrap_command(line, width=COMMAND_WIDTH):
    """`$ a long command` → lines of at most `width`, each but the last
    ending in " \\", the rest indented four columns."""
    if not line.startswith("$ ") or len(line) <= width:
        return line
    if line.rstrip().endswith("\\"):
        return line
    words = shell_words(html.unescape(line[2:]))
    lines, current = [], "$"
    for w in words:
        if len(current) + 1 + len(w) + 2 > width and current.strip("$ "):
            lines.append(current + " \\")
            current = "   "
        current += " " + w
    lines.append(current)
    return "\n".join(html.escape(l, quote=False) for l in lines)


def copy_safe_commands(fragment):
    """Every long `$ ` line of a code block, wrapped with backslashes."""

    def block(m):
        if "<span" in m.group(2):
            return m.group(0)
        inner = "\n".join(wrap_command(l) for l in m.group(2).split("\n"))
        return f"<pre>{m.group(1)}{inner}</code></pre>"

    return re.sub(
        r"<pre>(<code\b[^>]*>)(.*?)</code></pre>", block, fragment, flags=re.S
    )


# A caption's box is narrower than a code block.
CAPTION_WIDTH = 70


def caption_commands(fragment):
    """A listing caption's long command ("Run it: cargo test …") becomes a
    small code block wrapped with backslashes: as prose it wrapped at a
    space, and a copied command broke at the line end."""

    def run(m):
        label, command = m.group(1), html.unescape(m.group(2))
        if "<" in command or len(label) + len(command) <= CAPTION_WIDTH:
            return m.group(0)
        wrapped = wrap_command("$ " + command, CAPTION_WIDTH)
        text = "\n".join(
            l[2:] if l.startswith("$ ") else l for l in wrapped.split("\n")
        )
        return (
            f'<div class="listing-run">{label}:</div><pre '
            f'class="listing-command"><code>{text}</code></pre>'
        )

    return re.sub(
        r'<div class="listing-run">([^<:]*):\s*<code>(.*?)</code></div>',
        run,
        fragment,
        flags=re.S,
    )


RECAP_ID = "what-you-can-do-now"


def recap_before_exercise(body):
    """A chapter's closing recap goes before its exercise: at the very end
    it was three lines that often landed on a page of their own (after a
    full-page listing, or the instructor notes opened in print). The
    chapter now ends with its exercise (and, for instructors, its notes)."""
    m = re.search(rf'<h[1-6] id="{RECAP_ID}[^"]*"', body)
    if not m:
        return body
    exercises = list(
        re.finditer(r'<h[1-6] id="exercise[^"]*"', body[: m.start()])
    )
    if not exercises:
        return body
    end = body.find('<details class="instructor-notes"', m.start())
    end = len(body) if end < 0 else end
    at = exercises[-1].start()
    return (
        body[:at]
        + body[m.start() : end]
        + body[at : m.start()]
        + body[end:]
    )


def version():
    """The commit and its date, for the title page: a printed copy says
    which state of the book it is."""
    import subprocess

    def git(*args):
        return subprocess.run(
            ["git", *args], capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    date = git("log", "-1", "--format=%cs") or "undated"
    dirty = " (with local changes)" if git("status", "--porcelain") else ""
    return commit + dirty, date


def main(book_dir, summary, edition, pages_json=None):
    assert edition in ("student", "instructor"), edition
    book = Path(book_dir)
    page = (book / "print.html").read_text(encoding="utf-8")
    pages = json.loads(Path(pages_json).read_text()) if pages_json else {}

    start = page.index("<main>") + len("<main>")
    end = page.index("</main>", start)
    chapters = page[start:end].split(BREAK)
    entries = summary_entries(summary)
    if len(chapters) != len(entries):
        sys.exit(
            f"print.html has {len(chapters)} chapters, SUMMARY.md "
            f"{len(entries)}: cannot line them up"
        )

    title = html.escape(
        re.search(r"<title>(.*?)</title>", page, re.S)
        .group(1)
        .split(" - ")[0]
        .strip()
    )
    description = re.search(
        r'<meta name="description" content="([^"]*)"', page
    )
    description = description.group(1) if description else ""

    # Which chapters stay, and the ids that go with the ones that don't.
    kept, dropped_ids = [], set()
    for (part, file, name, number), body in zip(entries, chapters):
        if edition == "student" and file in INSTRUCTOR_ONLY:
            dropped_ids |= ids_in(body)
        else:
            kept.append((part, file, name, number, body))

    def page_of(anchor):
        return pages.get(anchor, "000")

    toc = [
        f'<nav class="handout-toc"><h1 id="handout-contents">Contents</h1><ol>'
    ]
    body_parts, current_part = [], None
    for part, file, name, number, body in kept:
        first_id = re.search(r'<h1 id="([^"]+)"', body)
        first_id = first_id.group(1) if first_id else ""
        if part != current_part and part:
            part_id = "part-" + re.sub(r"[^a-z0-9]+", "-", part.lower()).strip(
                "-"
            )
            toc.append(
                f'<li class="toc-part"><a href="#{part_id}">'
                f'<span class="toc-title">{html.escape(part)}</span>'
                f'<span class="toc-page">{page_of(part_id)}</span></a></li>'
            )
            body_parts.append(
                f'<section class="part-page"><h1 id="{part_id}" '
                f'class="part-title">{html.escape(part)}</h1></section>'
            )
        current_part = part
        label = f'<span class="toc-number">{number}.</span> ' if number else ""
        toc.append(
            f'<li class="toc-chapter{" in-part" if part else ""}">'
            f'<a href="#{first_id}">'
            f'<span class="toc-title">{label}{name}</span>'
            f'<span class="toc-page">{page_of(first_id)}</span></a></li>'
        )
        if edition == "student":
            body = re.sub(
                r'<details class="instructor-notes">.*?</details>',
                "",
                body,
                flags=re.S,
            )
        else:
            body = body.replace(
                '<details class="instructor-notes">',
                '<details class="instructor-notes" open>',
            )
        body = recap_before_exercise(body)
        if part:
            body = demote(body)
        chapter_label = (
            f'<p class="chapter-label">Chapter {number}</p>' if number else ""
        )
        body_parts.append(
            f'<section class="handout-chapter">{chapter_label}{body}</section>'
        )
    toc.append("</ol></nav>")

    main_html = caption_commands(
        copy_safe_commands(tables_out_of_code("".join(body_parts)))
    )
    if dropped_ids:
        # "Solution: <a>appendix</a>." and "The solutions are in an
        # <a>appendix</a>." point at pages this edition lacks: the sentence
        # goes, wherever it sits in its paragraph.
        main_html = without_sentences_linking(main_html, dropped_ids)
        main_html = re.sub(
            r'<a href="#([^"]+)"[^>]*>(.*?)</a>',
            lambda m: m.group(2) if m.group(1) in dropped_ids else m.group(0),
            main_html,
            flags=re.S,
        )

    # "(p. N)" after links to other places in the book; not after a
    # heading's link to itself.
    def page_ref(m):
        tag, anchor = m.group(1), m.group(2)
        if 'class="header"' in tag:
            return m.group(0)
        ref = f"\u00a0(p.\u00a0{page_of(anchor)})"
        return f'{m.group(0)}<span class="page-ref">{ref}</span>'

    main_html = re.sub(
        r'(<a href="#([^"]+)"[^>]*>)(?:.*?)</a>',
        page_ref,
        main_html,
        flags=re.S,
    )
    main_html = "".join(
        (
            long_words_may_break(nobreak_inline_code(part, in_table=True))
            if part.startswith("<table")
            else nobreak_inline_code(part)
        )
        for part in re.split(r"(<table\b.*?</table>)", main_html, flags=re.S)
    )

    edition_name = (
        "Student edition"
        if edition == "student"
        else "Instructor edition: with notes and solutions"
    )
    commit, date = version()
    authors = re.search(r'<meta name="author" content="([^"]*)"', page)
    authors = f"<p>{authors.group(1)}</p>" if authors else ""
    title_page = (
        f'<section class="title-page"><p class="book-title">{title}</p>'
        f'<p class="book-subtitle">{description}</p>'
        f'<p class="book-edition">{edition_name}</p>'
        f'<div class="book-version">{authors}<p>Version {commit}, '
        f"{date}</p></div></section>"
    )

    out = page[:start] + title_page + "".join(toc) + main_html + page[end:]
    out = out.replace("<html ", f'<html data-handout="{edition}" ', 1)
    head_extra = (
        '<link rel="stylesheet" href="handout-pdf.css">'
        '<script src="handout-pdf.js"></script>'
    )
    out = out.replace("</head>", head_extra + "</head>", 1)
    for asset in ("handout-pdf.css", "handout-pdf.js"):
        shutil.copy(
            Path(__file__).resolve().parent.parent / "theme" / asset,
            book / asset,
        )
    (book / f"handout-{edition}.html").write_text(out, encoding="utf-8")


def pages(pdf, out_json):
    """Writes {link target id: page number} read from the PDF's named
    destinations (Chromium writes one for every element a link points at)."""
    import pypdf

    reader = pypdf.PdfReader(pdf)
    found = {
        name.lstrip("/"): reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }
    Path(out_json).write_text(json.dumps(found, sort_keys=True, indent=0))


if __name__ == "__main__":
    cli = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = cli.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="write handout-EDITION.html")
    for name in ["book_dir", "summary", "edition"]:
        prepare.add_argument(name)
    prepare.add_argument("pages_json", nargs="?", help="page numbers so far")
    found = commands.add_parser("pages", help="read link targets' pages")
    found.add_argument("pdf")
    found.add_argument("out_json")
    args = vars(cli.parse_args())
    (pages if args.pop("command") == "pages" else main)(**args)
