//! Planted plans: each rule fails on the plan it exists to stop.

use super::{
    material::{Chapter, Level, Section},
    plan::{Kind, Plan, Row, day_rows},
    rules,
};

fn section(title: &str, minutes: u32, exercise: bool, level: Level) -> Section {
    Section {
        title: title.into(),
        minutes,
        exercise,
        level,
        words: 0,
        code_lines: 0,
        listings: Vec::new(),
        notes: if exercise {
            "**Debrief:** what did you find?".into()
        } else {
            String::new()
        },
    }
}

/// A chapter of `talk` minutes in sections of at most 15, then an
/// exercise of `exercise` minutes.
fn chapter(file: &str, talk: u32, exercise: u32, level: Level) -> Chapter {
    let mut sections = vec![section(file, 5.min(talk), false, level)];
    let mut left = talk.saturating_sub(5);
    while left > 0 {
        sections.push(section("part", left.min(15), false, Level::Core));
        left -= left.min(15);
    }
    if exercise > 0 {
        sections.push(section("Exercise", exercise, true, Level::Core));
    }
    Chapter {
        file: file.into(),
        title: file.into(),
        sections,
        needs: Vec::new(),
    }
}

fn row(start: u32, kind: Kind, talk: u32, exercise: u32) -> Row {
    Row {
        start,
        kind,
        what: String::new(),
        talk,
        exercise,
    }
}

#[test]
fn a_section_timed_past_the_rate_fails_and_one_within_it_passes() {
    let mut c = chapter("a.md", 10, 0, Level::Core);
    c.sections[1].words = 2_000; // 10 min of prose in 5 min
    let problems = rules::sections(&[c.clone()]);
    assert!(
        problems.iter().any(|p| p.contains("past the rate")),
        "{problems:?}"
    );
    c.sections[1].words = 900;
    assert!(rules::sections(&[c.clone()]).is_empty());
    // Left as reading, it is not taught and needs no minutes.
    c.sections[1].words = 2_000;
    c.sections[1].level = Level::Reading;
    assert!(rules::sections(&[c]).is_empty());
}

#[test]
fn an_exercise_without_a_debrief_prompt_or_too_short_fails() {
    let mut c = chapter("a.md", 10, 10, Level::Core);
    c.sections.last_mut().unwrap().notes.clear();
    let problems = rules::sections(&[c]);
    assert!(
        problems.iter().any(|p| p.contains("Debrief")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("15–25")), "{problems:?}");
}

#[test]
fn a_plan_that_skips_a_chapter_another_needs_is_incoherent() {
    let skipped = chapter("tools.md", 30, 15, Level::Optional);
    let mut needing = chapter("checklist.md", 30, 15, Level::Core);
    needing.needs = vec!["tools.md".into()];
    let chapters = [skipped, needing];
    let one = rules::coherent(&chapters, Plan::OneDay, "one day");
    assert!(one.iter().any(|p| p.contains("skips tools.md")), "{one:?}");
    assert!(rules::coherent(&chapters, Plan::TwoDays, "two").is_empty());
}

#[test]
fn lunch_is_the_first_break_after_noon_and_every_piece_is_15_minutes() {
    // A chapter that the old layout cut 45 + 5 around lunch.
    let chapters = [
        chapter("a.md", 60, 20, Level::Core),
        chapter("b.md", 40, 20, Level::Core),
        chapter("c.md", 50, 0, Level::Core),
        chapter("d.md", 40, 20, Level::Core),
    ];
    let day: Vec<&Chapter> = chapters.iter().collect();
    let rows = day_rows(&day, Plan::OneDay, true, true);
    let problems = rules::day(&rows, "planted");
    assert!(problems.is_empty(), "{problems:?}");
    let lunch = rows.iter().find(|r| r.kind == Kind::Lunch).unwrap();
    assert!(lunch.start >= 12 * 60, "lunch at {}", lunch.start);
    assert_eq!(rows[0].kind, Kind::Frame, "the day opens with a welcome");
    assert!(rows.iter().any(|r| r.kind == Kind::Debrief));
    let last = &rows[rows.len() - 2];
    assert!(last.what.contains("Wrap-up"), "{}", last.what);
}

#[test]
fn lunch_before_noon_and_a_five_minute_remainder_fail() {
    let c = |index, part| Kind::Chapter { index, part };
    let rows = [
        row(540, Kind::Frame, 20, 0),
        row(560, c(0, 1), 45, 0),
        row(605, Kind::Break, 10, 0),
        row(615, c(0, 2), 5, 0),
        row(620, c(1, 1), 50, 0),
        row(670, Kind::Lunch, 60, 0),
        row(730, Kind::End, 0, 0),
    ];
    let problems = rules::day(&rows, "planted");
    assert!(
        problems.iter().any(|p| p.contains("before noon")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("5 min (part 2)")),
        "{problems:?}"
    );
}

#[test]
fn too_little_hands_on_or_a_block_without_an_exercise_fails() {
    let c = Kind::Chapter { index: 0, part: 1 };
    let rows = [
        row(540, c.clone(), 80, 10),
        row(630, Kind::Break, 10, 0),
        row(640, c, 60, 0),
        row(700, Kind::End, 0, 0),
    ];
    let problems = rules::practice(&[&rows], "planted", true);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("hands-on") || p.contains("under 30%"))
    );
    assert!(
        problems.iter().any(|p| p.contains("no exercise")),
        "{problems:?}"
    );
}

#[test]
fn two_days_far_apart_are_unbalanced() {
    let day =
        |end| vec![row(540, Kind::Frame, 10, 0), row(end, Kind::End, 0, 0)];
    assert!(!rules::balanced(&day(1000), &day(1050)).is_empty());
    assert!(rules::balanced(&day(1020), &day(1040)).is_empty());
}

#[test]
fn a_chapter_back_after_its_first_exercise_says_continued() {
    let mut two = chapter("two.md", 20, 15, Level::Core);
    two.sections.push(section("more", 10, false, Level::Core));
    two.sections
        .push(section("Exercise 2", 15, true, Level::Core));
    let day = [&two];
    let rows = day_rows(&day, Plan::OneDay, true, true);
    let shown: Vec<&str> = rows
        .iter()
        .filter(|r| matches!(r.kind, Kind::Chapter { .. }))
        .map(|r| r.what.as_str())
        .collect();
    assert!(shown.len() >= 2, "one row per exercise at least: {shown:?}");
    assert!(!shown[0].contains("(continued)"), "{shown:?}");
    assert!(
        shown[1..].iter().all(|w| w.ends_with("(continued)")),
        "{shown:?}"
    );
}
