//! The book's marker comments (CONTRIBUTING.md), read in one place:
//! `ANCHOR: name` … `ANCHOR_END: name` regions, matched the way mdBook
//! matches them; the tool's `OUTPUT:`, `OUTPUT(measured):` and `FIXES:`
//! lines, where a line ending in `\` goes on in the next comment line; and
//! `BROKEN ON PURPOSE: reason`.

/// `(name, rest)` for a line holding `marker name rest`, matched the way mdBook
/// matches anchors: the marker anywhere on the line.
pub fn named(line: &str, marker: &str) -> Option<(String, String)> {
    let after = line.split(marker).nth(1)?.trim_start();
    let name: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let rest = after[name.len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || "-—:".contains(c))
        .trim_end();
    Some((name, rest.to_string()))
}

fn names(line: &str, marker: &str, anchor: &str) -> bool {
    named(line, marker).is_some_and(|(name, _)| name == anchor)
}

/// Region `anchor` of `lines`: its first and last line (1-based, inclusive,
/// the marker lines among them) and the text after its name on the
/// `ANCHOR:` line, if any.
pub fn region(
    lines: &[&str],
    anchor: &str,
) -> Result<(usize, usize, Option<String>), String> {
    let start = lines
        .iter()
        .position(|l| names(l, "ANCHOR:", anchor))
        .ok_or_else(|| format!("no `ANCHOR: {anchor}` line"))?;
    let end = lines[start..]
        .iter()
        .position(|l| names(l, "ANCHOR_END:", anchor))
        .ok_or_else(|| {
            format!("no `ANCHOR_END: {anchor}` line after `ANCHOR: {anchor}`")
        })?;
    let note = named(lines[start], "ANCHOR:")
        .map(|(_, rest)| rest)
        .filter(|r| !r.is_empty());
    Ok((start + 1, start + end + 1, note))
}

/// The lines of region `anchor`, exactly as mdBook's `{{#include file:anchor}}`
/// takes them: after the `ANCHOR:` line, up to its `ANCHOR_END:`, leaving out
/// the marker lines of other regions nested inside, and the tool's marker
/// comments (`// OUTPUT: …`, `// FIXES: …`, CONTRIBUTING.md), which are
/// for the book's machinery, not for readers.
pub fn anchored_lines(source: &str, anchor: &str) -> String {
    let mut in_marker = false;
    anchored_lines_raw(source, anchor)
        .lines()
        .filter(|l| {
            let marker = in_marker || is_tool_marker(l);
            // A marker line ending in `\` continues on the next line.
            in_marker = marker && l.trim_end().ends_with('\\');
            !marker
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a line is one of the tool's marker comments.
fn is_tool_marker(line: &str) -> bool {
    let t = line.trim_start();
    ["// OUTPUT:", "// OUTPUT(measured):", "// FIXES:"]
        .iter()
        .any(|m| t.starts_with(m))
}

/// Region `anchor` with the tool's marker comments still in it.
pub fn anchored_lines_raw(source: &str, anchor: &str) -> String {
    let mut lines = source.lines().skip_while(|l| !names(l, "ANCHOR:", anchor));
    lines.next(); // the ANCHOR line itself
    lines
        .take_while(|l| !names(l, "ANCHOR_END:", anchor))
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reason of a `// BROKEN ON PURPOSE: reason` comment among `lines`,
/// continued on the following `//` lines.
pub fn broken_on_purpose(lines: &[&str]) -> Option<String> {
    let start = lines.iter().position(|l| l.contains("BROKEN ON PURPOSE"))?;
    let mut text = lines[start]
        .split("BROKEN ON PURPOSE")
        .nth(1)?
        .trim_start_matches([':', ' '])
        .trim()
        .to_string();
    for line in &lines[start + 1..] {
        let Some(more) = line
            .trim_start()
            .strip_prefix("//")
            .filter(|_| !line.trim_start().starts_with("///"))
        else {
            break;
        };
        text.push(' ');
        text.push_str(more.trim());
    }
    Some(text)
}

/// Comment texts (without `//`) as markers: a line ending in `\` continues
/// on the next one.
pub fn join_continuations(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for l in lines {
        if open && let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(l.trim_end_matches('\\').trim());
        } else {
            out.push(l.trim_end_matches('\\').trim().to_string());
        }
        open = l.ends_with('\\');
    }
    out
}

/// `(measured, rest)` for an `OUTPUT: rest` or `OUTPUT(measured): rest`
/// marker's text.
pub fn output(marker: &str) -> Option<(bool, &str)> {
    if let Some(rest) = marker.strip_prefix("OUTPUT(measured):") {
        Some((true, rest))
    } else {
        marker.strip_prefix("OUTPUT:").map(|rest| (false, rest))
    }
}

/// An `OUTPUT` marker that names its command.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOutput {
    /// 1-based line of the marker.
    pub line: usize,
    pub measured: bool,
    /// As written: relative to the crate, or to the root after a `/`.
    pub path: String,
    pub command: String,
}

/// Every `// OUTPUT: <path> $ <command>` marker in a file (`# OUTPUT: …`
/// in a shell file), `OUTPUT(measured)` too.
pub fn command_outputs(text: &str) -> Vec<CommandOutput> {
    let lines: Vec<&str> = text.lines().collect();
    (0..lines.len())
        .filter_map(|n| {
            let joined = joined_comment(&lines, n);
            let t = joined.trim_start();
            let body =
                t.strip_prefix("// ").or_else(|| t.strip_prefix("# "))?;
            let (measured, rest) = output(body)?;
            let (path, command) = rest.split_once(" $ ")?;
            Some(CommandOutput {
                line: n + 1,
                measured,
                path: path.trim().to_string(),
                command: command.trim().to_string(),
            })
        })
        .collect()
}

/// Line `n`, with the following comment lines appended while it ends in `\`.
fn joined_comment(lines: &[&str], n: usize) -> String {
    let mut out = lines[n].trim_end().to_string();
    let mut i = n + 1;
    while out.ends_with('\\') && i < lines.len() {
        out.pop();
        let next = lines[i].trim_start();
        let body = next
            .strip_prefix("//")
            .or_else(|| next.strip_prefix('#'))
            .unwrap_or(next);
        out = format!("{} {}", out.trim_end(), body.trim());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tool's marker comments (and their `\` continuations) are for the
    /// machinery: the region the book shows leaves them out.
    #[test]
    fn marker_comments_are_left_out_of_the_region() {
        let source = "\
// ANCHOR: here
// OUTPUT: output/a.txt \\
//   | grep x
// FIXES: broken_one
/// Works.
#[test]
fn works() {}
// ANCHOR_END: here
";
        let shown = anchored_lines(source, "here");
        assert_eq!(shown, "/// Works.\n#[test]\nfn works() {}");
    }

    /// A region needs both its ends, named alike; any comment style works.
    #[test]
    fn a_region_needs_both_ends() {
        let found =
            |text: &str, name| region(&text.lines().collect::<Vec<_>>(), name);
        assert!(
            found("// ANCHOR: x\nfn a() {}\n// ANCHOR_END: x\n", "x").is_ok()
        );
        assert!(found("// ANCHOR: x\nfn a() {}\n", "x").is_err());
        assert!(found("// ANCHOR: xy\n// ANCHOR_END: xy\n", "x").is_err());
        assert!(
            found("-- ANCHOR: q\nSELECT 1;\n-- ANCHOR_END: q\n", "q").is_ok()
        );
    }
}
