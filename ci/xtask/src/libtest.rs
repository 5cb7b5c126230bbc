//! The one reader of test-runner output: libtest (`cargo test`) and
//! nextest. Every command that counts tests or names failures uses it.

/// What happened to one test.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Passed,
    Failed,
    /// Ignored, with the reason given in `#[ignore = "…"]` (empty if none).
    Ignored(String),
}

/// One test's result: the test binary it ran in, its path, its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub binary: String,
    pub name: String,
    pub status: Status,
}

/// Everything a run printed about tests.
#[derive(Debug, Default, Clone)]
pub struct Run {
    pub outcomes: Vec<Outcome>,
    /// Sums of the `test result:` (libtest) or `Summary` (nextest) lines.
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
}

impl Run {
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.status == Status::Failed)
    }

    /// Tests that passed in a binary whose name starts with `binary`.
    pub fn passed_in(&self, binary: &str) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.binary == binary && o.status == Status::Passed)
            .count()
    }
}

/// The binary's name from cargo's `Running … (target/debug/deps/api-0f3a…)`.
fn binary_of_running(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("Running ")?;
    let open = rest.rfind('(')?;
    let exe = rest[open + 1..].trim_end_matches(')');
    let file = exe.rsplit('/').next()?;
    let name = match file.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            name
        }
        _ => file,
    };
    Some(name.to_string())
}

/// The number before `word` in `… 3 passed; 0 failed; …`.
fn count_before(text: &str, word: &str) -> usize {
    let words: Vec<&str> = text.split([' ', ';', ',']).collect();
    words
        .windows(2)
        .filter(|w| w[1] == word)
        .filter_map(|w| w[0].parse::<usize>().ok())
        .sum()
}

/// Reads `cargo test` output (libtest's format).
pub fn parse_libtest(text: &str) -> Run {
    let mut run = Run::default();
    let mut binary = String::new();
    for line in text.lines() {
        if let Some(b) = binary_of_running(line) {
            binary = b;
        } else if let Some(rest) = line.trim_start().strip_prefix("Doc-tests ")
        {
            binary = format!("doc-tests {}", rest.trim());
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            run.passed += count_before(rest, "passed");
            run.failed += count_before(rest, "failed");
            run.ignored += count_before(rest, "ignored");
        } else if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, result)) = rest.split_once(" ... ")
        {
            let status = match result.trim() {
                "ok" => Status::Passed,
                "FAILED" => Status::Failed,
                r if r.starts_with("ignored") => Status::Ignored(
                    r.strip_prefix("ignored")
                        .unwrap_or("")
                        .trim_start_matches(", ")
                        .to_string(),
                ),
                _ => continue,
            };
            run.outcomes.push(Outcome {
                binary: binary.clone(),
                name: name.trim().to_string(),
                status,
            });
        }
    }
    run
}

/// Reads `cargo nextest run` output: `PASS [ 0.01s] (1/9) crate::bin a::b`,
/// `FAIL …`, `TIMEOUT …`, and the closing `Summary […] N tests run: …`.
pub fn parse_nextest(text: &str) -> Run {
    let mut run = Run::default();
    for line in text.lines() {
        let line = line.trim_start();
        let Some((word, rest)) = line.split_once(' ') else {
            continue;
        };
        if word == "Summary" {
            run.passed += count_before(rest, "passed");
            run.failed +=
                count_before(rest, "failed") + count_before(rest, "timed");
            run.ignored += count_before(rest, "skipped");
            continue;
        }
        let status = match word {
            "PASS" => Status::Passed,
            "FAIL" | "TIMEOUT" | "SIGKILL" | "SIGSEGV" | "SIGABRT"
            | "ABORT" => Status::Failed,
            _ => continue,
        };
        // `[ 0.012s] (1/30) crate::bin module::test`
        let Some(after_time) = rest.split_once(']').map(|(_, r)| r) else {
            continue;
        };
        // The counter may be padded: `(  1/229)`, so skip up to its `)`.
        let after_counter = match after_time.trim_start().strip_prefix('(') {
            Some(rest) => rest.split_once(')').map_or("", |(_, r)| r),
            None => after_time,
        };
        let mut words = after_counter.split_whitespace();
        let (Some(binary), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        // The final summary repeats failures as `FAIL [..] bin name`: keep one.
        let outcome = Outcome {
            binary: binary.to_string(),
            name: name.to_string(),
            status,
        };
        if !run.outcomes.contains(&outcome) {
            run.outcomes.push(outcome);
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBTEST: &str = "\
     Running tests/api/main.rs (target/debug/deps/api-0123456789abcdef)

running 3 tests
test first_test::creates ... ok
test flaky::sleeps ... ignored, broken on purpose: a fixed sleep
test jobs::claims ... FAILED

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; \
0 filtered out; finished in 0.52s
";

    /// Each test line is read with its binary, status and ignore reason.
    #[test]
    fn libtest_lines_become_outcomes_and_totals() {
        let run = parse_libtest(LIBTEST);
        assert_eq!((run.passed, run.failed, run.ignored), (1, 1, 1));
        assert_eq!(run.outcomes.len(), 3, "{:?}", run.outcomes);
        assert_eq!(run.outcomes[0].binary, "api");
        assert_eq!(
            run.outcomes[1].status,
            Status::Ignored("broken on purpose: a fixed sleep".into())
        );
        let failed: Vec<_> = run.failures().map(|o| &o.name).collect();
        assert_eq!(failed, ["jobs::claims"]);
    }

    /// nextest's status lines and summary give the same picture.
    #[test]
    fn nextest_lines_become_outcomes_and_totals() {
        let text = "\
        PASS [   0.012s] (  1/3) user-service::api first_test::creates
     TIMEOUT [   2.001s] (2/3) xtask::planted waits_forever
        FAIL [   0.100s] (3/3) user-service::api jobs::claims
     Summary [   2.100s] 3 tests run: 1 passed, 1 failed, 1 timed out, \
2 skipped
        FAIL [   0.100s] (3/3) user-service::api jobs::claims
";
        let run = parse_nextest(text);
        assert_eq!(run.outcomes.len(), 3, "{:?}", run.outcomes);
        assert_eq!((run.passed, run.ignored), (1, 2));
        assert_eq!(run.failures().count(), 2);
        assert_eq!(run.outcomes[0].binary, "user-service::api");
        assert_eq!(run.outcomes[1].name, "waits_forever");
    }
}
