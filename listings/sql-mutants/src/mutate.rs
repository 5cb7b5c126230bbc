//! The mutants of one SQL statement. Each is a single edit of the literal's
//! source text: a span replaced (often by nothing), so applying it to the
//! file and reporting its line are both exact.
//!
//! A small lexer is all the SQL "parsing" there is: words, operators,
//! parentheses and commas, with quoted strings kept whole so that a `=` or
//! an `AND` inside `'...'` is never touched. That is enough to find clauses
//! by their keywords, which is all the operators below need.

use std::ops::Range;

/// One change to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// What is replaced, in bytes of the literal's source text.
    pub span: Range<usize>,
    pub replacement: String,
    /// Where the change is, for the report: the first byte of the clause it
    /// changes (a removal's span may start earlier, at the whitespace before).
    pub at: usize,
    /// The change as a reader would say it: `drop "AND attempts = $2"`.
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Operator,
    Open,
    Close,
    Comma,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    span: (usize, usize),
    /// Parenthesis depth: 0 at the statement's top level.
    depth: usize,
}

/// The lexed statement, with the source its spans point into.
struct Sql<'a> {
    source: &'a str,
    tokens: Vec<Token>,
}

impl<'a> Sql<'a> {
    fn text(&self, token: usize) -> &'a str {
        let (start, end) = self.tokens[token].span;
        &self.source[start..end]
    }

    fn is_word(&self, token: usize, word: &str) -> bool {
        token < self.tokens.len()
            && self.tokens[token].kind == Kind::Word
            && self.text(token).eq_ignore_ascii_case(word)
    }

    fn start(&self, token: usize) -> usize {
        self.tokens[token].span.0
    }

    fn end(&self, token: usize) -> usize {
        self.tokens[token].span.1
    }

    /// Where the text before `token` ends: a removal starts there, so it
    /// takes the whitespace before the clause and leaves the rest alone.
    fn end_before(&self, token: usize) -> usize {
        if token == 0 {
            self.start(0)
        } else {
            self.end(token - 1)
        }
    }

    /// The first token from `from` on, at `depth`, that begins one of the
    /// `clauses` (each a sequence of words), or the end of the statement.
    fn next_clause(
        &self,
        from: usize,
        depth: usize,
        clauses: &[&[&str]],
    ) -> usize {
        (from..self.tokens.len())
            .find(|&t| {
                self.tokens[t].depth == depth
                    && clauses.iter().any(|words| {
                        words
                            .iter()
                            .enumerate()
                            .all(|(i, w)| self.is_word(t + i, w))
                    })
            })
            .unwrap_or(self.tokens.len())
    }

    /// `source[start..end]` on one line, for a description.
    fn quote(&self, start: usize, end: usize) -> String {
        let text = self.source[start..end].replace("\\\n", " ");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// A mutant that removes tokens `first..last` (exclusive) and the
    /// whitespace before them.
    fn drop(&self, first: usize, last: usize) -> Mutant {
        let (start, end) = (self.start(first), self.end(last - 1));
        Mutant {
            span: self.end_before(first)..end,
            replacement: String::new(),
            at: start,
            description: format!("drop \"{}\"", self.quote(start, end)),
        }
    }
}

fn lex(source: &str) -> Sql<'_> {
    // Only what is between the literal's quotes is SQL.
    let open = source.find('"').map_or(0, |i| i + 1);
    let close = source.rfind('"').unwrap_or(source.len());
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut depth: usize = 0;
    let mut i = open;
    while i < close {
        let c = bytes[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() || c == b'\\' {
            // Whitespace, and the `\` of a Rust line continuation.
            i += 1;
            continue;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            while i < close
                && (bytes[i].is_ascii_alphanumeric()
                    || matches!(bytes[i], b'_' | b'$' | b'.'))
            {
                i += 1;
            }
            Kind::Word
        } else if c == b'\'' {
            // A quoted string, kept whole; '' inside is two quotes in a row.
            i += 1;
            while i < close && bytes[i] != b'\'' {
                i += 1;
            }
            i += 1;
            Kind::Other
        } else if matches!(c, b'<' | b'>' | b'=' | b'!') {
            while i < close && matches!(bytes[i], b'<' | b'>' | b'=' | b'!') {
                i += 1;
            }
            Kind::Operator
        } else {
            i += 1;
            match c {
                b'(' => Kind::Open,
                b')' => Kind::Close,
                b',' => Kind::Comma,
                _ => Kind::Other,
            }
        };
        if kind == Kind::Close {
            depth = depth.saturating_sub(1);
        }
        tokens.push(Token {
            kind,
            span: (start, i.min(close)),
            depth,
        });
        if kind == Kind::Open {
            depth += 1;
        }
    }
    Sql { source, tokens }
}

/// Clauses that end a `WHERE`, an `ORDER BY` or an `ON CONFLICT`.
const ENDS: &[&[&str]] = &[
    &["GROUP", "BY"],
    &["HAVING"],
    &["ORDER", "BY"],
    &["LIMIT"],
    &["OFFSET"],
    &["FOR", "UPDATE"],
    &["FOR", "SHARE"],
    &["RETURNING"],
];

// ANCHOR: operators
/// Every mutant of the statement whose literal source text is `source`.
pub fn mutants(source: &str) -> Vec<Mutant> {
    let sql = lex(source);
    let mut found = Vec::new();
    let n = sql.tokens.len();
    for t in 0..n {
        let depth = sql.tokens[t].depth;
        if sql.is_word(t, "WHERE") {
            let end = sql.next_clause(t + 1, depth, ENDS);
            conditions(&sql, t + 1, end, &mut found);
            comparisons(&sql, t + 1, end, &mut found);
        } else if sql.is_word(t, "FOR") && sql.is_word(t + 1, "UPDATE") {
            let mut last = t + 2;
            if sql.is_word(last, "SKIP") && sql.is_word(last + 1, "LOCKED") {
                last += 2;
            } else if sql.is_word(last, "NOWAIT") {
                last += 1;
            }
            found.push(sql.drop(t, last));
        } else if sql.is_word(t, "SKIP") && sql.is_word(t + 1, "LOCKED")
            || sql.is_word(t, "LIMIT") && t + 1 < n
        {
            // Two words: `SKIP LOCKED`, or `LIMIT` and its count.
            found.push(sql.drop(t, t + 2));
        } else if sql.is_word(t, "ORDER") && sql.is_word(t + 1, "BY")
            || sql.is_word(t, "ON") && sql.is_word(t + 1, "CONFLICT")
        {
            found.push(sql.drop(t, sql.next_clause(t + 2, depth, ENDS)));
        } else if sql.is_word(t, "RETURNING") {
            swap_first_two(&sql, t + 1, &mut found);
        }
    }
    found
}
// ANCHOR_END: operators

/// For each list of conditions joined by `AND`/`OR` in tokens `from..to`
/// (the `WHERE` itself, and every parenthesised group in it), one mutant
/// per condition, with that condition and its `AND`/`OR` removed.
fn conditions(sql: &Sql, from: usize, to: usize, found: &mut Vec<Mutant>) {
    if from >= to {
        return;
    }
    let depth = sql.tokens[from].depth;
    let joins: Vec<usize> = (from..to)
        .filter(|&t| {
            sql.tokens[t].depth == depth
                && (sql.is_word(t, "AND") || sql.is_word(t, "OR"))
        })
        .collect();
    if !joins.is_empty() {
        // Operand i runs from after join i-1 to before join i.
        let mut bounds = vec![from];
        bounds.extend(joins.iter().map(|&j| j + 1));
        for (i, &first) in bounds.iter().enumerate() {
            let last = joins.get(i).copied().unwrap_or(to);
            found.push(if i == 0 {
                // The first condition goes with the join after it, and the
                // whitespace up to the next condition.
                let mut mutant = sql.drop(first, last + 1);
                mutant.span = sql.start(first)..sql.start(last + 1);
                mutant
            } else {
                sql.drop(joins[i - 1], last)
            });
        }
    }
    // Then the conditions inside each group of parentheses at this depth.
    let mut t = from;
    while t < to {
        if sql.tokens[t].kind == Kind::Open && sql.tokens[t].depth == depth {
            let close = (t + 1..to)
                .find(|&c| {
                    sql.tokens[c].kind == Kind::Close
                        && sql.tokens[c].depth == depth
                })
                .unwrap_or(to);
            conditions(sql, t + 1, close, found);
            t = close;
        }
        t += 1;
    }
}

/// Each comparison in tokens `from..to` flipped: `=` to `<>` and to `>=`,
/// `<>` to `=`, and each of `<`, `<=`, `>`, `>=` to its neighbour.
fn comparisons(sql: &Sql, from: usize, to: usize, found: &mut Vec<Mutant>) {
    for t in from..to {
        if sql.tokens[t].kind != Kind::Operator {
            continue;
        }
        let into: &[&str] = match sql.text(t) {
            "=" => &["<>", ">="],
            "<>" | "!=" => &["="],
            "<" => &["<="],
            "<=" => &["<"],
            ">" => &[">="],
            ">=" => &[">"],
            _ => &[],
        };
        // The comparison with its two operands, to say which one it is; a
        // function call on the right is quoted with its arguments.
        let left = t.saturating_sub(1).max(from);
        let mut right = (t + 1).min(to - 1);
        if right + 1 < to && sql.tokens[right + 1].kind == Kind::Open {
            let depth = sql.tokens[right + 1].depth;
            right = (right + 2..to)
                .find(|&c| {
                    sql.tokens[c].kind == Kind::Close
                        && sql.tokens[c].depth == depth
                })
                .unwrap_or(right);
        }
        let context = sql.quote(sql.start(left), sql.end(right));
        for replacement in into {
            found.push(Mutant {
                span: sql.start(t)..sql.end(t),
                replacement: (*replacement).into(),
                at: sql.start(t),
                description: format!(
                    "\"{}\": {} to {replacement}",
                    context.trim(),
                    sql.text(t)
                ),
            });
        }
    }
}

/// `RETURNING a, b, ...` becomes `RETURNING b, a, ...`: code that reads
/// columns by position gets them crossed.
fn swap_first_two(sql: &Sql, from: usize, found: &mut Vec<Mutant>) {
    let depth = sql.tokens.get(from).map_or(0, |t| t.depth);
    let commas: Vec<usize> = (from..sql.tokens.len())
        .filter(|&t| {
            sql.tokens[t].kind == Kind::Comma && sql.tokens[t].depth == depth
        })
        .take(2)
        .collect();
    let Some(&first_comma) = commas.first() else {
        return; // one column: nothing to swap
    };
    let second_end = commas.get(1).copied().unwrap_or(sql.tokens.len());
    let a = sql.start(from)..sql.end(first_comma - 1);
    let b = sql.start(first_comma + 1)..sql.end(second_end - 1);
    let between = &sql.source[a.end..b.start];
    found.push(Mutant {
        span: a.start..b.end,
        replacement: format!(
            "{}{between}{}",
            &sql.source[b.clone()],
            &sql.source[a.clone()]
        ),
        at: a.start,
        description: format!(
            "RETURNING \"{}\" and \"{}\" swapped",
            sql.quote(a.start, a.end),
            sql.quote(b.start, b.end)
        ),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each mutant as (what it says it does, the statement it makes), on
    /// one line, so a test reads as a list of before/after pairs.
    fn described(source: &str) -> Vec<(String, String)> {
        mutants(source)
            .into_iter()
            .map(|m| {
                let mut mutated = source.to_owned();
                mutated.replace_range(m.span.clone(), &m.replacement);
                let words: Vec<_> = mutated.split_whitespace().collect();
                (m.description, words.join(" "))
            })
            .collect()
    }

    /// Each condition of a `WHERE` dropped in turn, those in parentheses
    /// too; each comparison flipped; nothing inside a quoted string.
    #[test]
    fn a_where_loses_each_condition_and_flips_each_comparison() {
        let query = r#""SELECT id FROM t
            WHERE s = 'AND' AND (l IS NULL OR l <= $1)""#;

        let expected = [
            (
                r#"drop "s = 'AND' AND""#,
                r#""SELECT id FROM t WHERE (l IS NULL OR l <= $1)""#,
            ),
            (
                r#"drop "AND (l IS NULL OR l <= $1)""#,
                r#""SELECT id FROM t WHERE s = 'AND'""#,
            ),
            (
                r#"drop "l IS NULL OR""#,
                r#""SELECT id FROM t WHERE s = 'AND' AND (l <= $1)""#,
            ),
            (
                r#"drop "OR l <= $1""#,
                r#""SELECT id FROM t WHERE s = 'AND' AND (l IS NULL)""#,
            ),
            (
                r#""s = 'AND'": = to <>"#,
                r#""SELECT id FROM t WHERE s <> 'AND' AND (l IS NULL OR l <= $1)""#,
            ),
            (
                r#""s = 'AND'": = to >="#,
                r#""SELECT id FROM t WHERE s >= 'AND' AND (l IS NULL OR l <= $1)""#,
            ),
            (
                r#""l <= $1": <= to <"#,
                r#""SELECT id FROM t WHERE s = 'AND' AND (l IS NULL OR l < $1)""#,
            ),
        ];
        let expected = expected.map(|(d, m)| (d.to_owned(), m.to_owned()));
        assert_eq!(described(query), expected);
    }

    /// The clauses a claim query's safety rests on, each removed alone.
    #[test]
    fn a_claim_loses_its_order_its_limit_and_its_locks() {
        let claim = r#""SELECT id FROM t
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED""#;

        let expected = [
            (
                r#"drop "ORDER BY id""#,
                r#""SELECT id FROM t LIMIT 1 FOR UPDATE SKIP LOCKED""#,
            ),
            (
                r#"drop "LIMIT 1""#,
                r#""SELECT id FROM t ORDER BY id FOR UPDATE SKIP LOCKED""#,
            ),
            (
                r#"drop "FOR UPDATE SKIP LOCKED""#,
                r#""SELECT id FROM t ORDER BY id LIMIT 1""#,
            ),
            (
                r#"drop "SKIP LOCKED""#,
                r#""SELECT id FROM t ORDER BY id LIMIT 1 FOR UPDATE""#,
            ),
        ];
        let expected = expected.map(|(d, m)| (d.to_owned(), m.to_owned()));
        assert_eq!(described(claim), expected);
    }

    /// An upsert loses its conflict clause whole (across a Rust line
    /// continuation), and `SET a = $1`, an assignment, is left alone.
    #[test]
    fn an_upsert_loses_its_conflict_clause() {
        let upsert = r#""INSERT INTO t VALUES ($1) \
            ON CONFLICT (a) DO UPDATE SET a = $1 RETURNING id""#;

        let expected = [(
            r#"drop "ON CONFLICT (a) DO UPDATE SET a = $1""#,
            r#""INSERT INTO t VALUES ($1) RETURNING id""#,
        )];
        let expected = expected.map(|(d, m)| (d.to_owned(), m.to_owned()));
        assert_eq!(described(upsert), expected);
    }

    /// `RETURNING` gets its first two columns crossed, whatever they are.
    #[test]
    fn returned_columns_are_swapped() {
        let insert = r#""INSERT INTO t VALUES ($1) RETURNING id, a AS b, c""#;

        let expected = [(
            r#"RETURNING "id" and "a AS b" swapped"#,
            r#""INSERT INTO t VALUES ($1) RETURNING a AS b, id, c""#,
        )];
        let expected = expected.map(|(d, m)| (d.to_owned(), m.to_owned()));
        assert_eq!(described(insert), expected);
    }
}
