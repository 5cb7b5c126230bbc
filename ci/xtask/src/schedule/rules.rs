//! What a plan must hold to run on the day. Each rule returns the problems
//! it finds, in words that say what to change.

use super::{
    material::{Chapter, Level},
    plan::{self, Kind, Plan, Row},
};

/// The stated rate: a minute of talk covers at most this much prose (the
/// instructor summarises; students read the rest)…
pub const WORDS_PER_MINUTE: f64 = 200.0;
/// …plus this many lines of listing run live (a printed page is about 50
/// lines and takes 4–5 minutes to run and explain).
pub const LINES_PER_MINUTE: f64 = 12.0;
/// An exercise long enough to solve, short enough to keep the room
/// together.
pub const EXERCISE_MINUTES: (u32, u32) = (15, 25);
/// At least this share of each plan's teaching time is hands-on.
pub const HANDS_ON: f64 = 0.30;
/// The two days of the two-day plan end within this much of each other.
pub const BALANCE: u32 = 45;

/// The minutes a section's material needs at the stated rate.
pub fn needed(words: usize, code_lines: usize) -> f64 {
    words as f64 / WORDS_PER_MINUTE + code_lines as f64 / LINES_PER_MINUTE
}

/// Sections timed past the rate, exercises out of their range, exercises
/// without a debrief prompt in their instructor notes.
pub fn sections(chapters: &[Chapter]) -> Vec<String> {
    let mut problems = Vec::new();
    for c in chapters {
        for s in &c.sections {
            let taught = s.level != Level::Reading;
            let at = format!("src/{}: `{}`", c.file, s.title);
            if s.exercise {
                let (lo, hi) = EXERCISE_MINUTES;
                if taught && !(lo..=hi).contains(&s.minutes) {
                    problems.push(format!(
                        "{at}: an exercise of {} min; give it {lo}–{hi}",
                        s.minutes
                    ));
                }
                if !(s.notes.contains("**Debrief:**")
                    || s.notes.contains("**Discussion:**"))
                {
                    problems.push(format!(
                        "{at}: its instructor notes have no `**Debrief:**` (or \
                         `**Discussion:**`) \
                         prompt (add a <details class=\"instructor-notes\"> \
                         block with one)"
                    ));
                }
                continue;
            }
            let need = needed(s.words, s.code_lines);
            if taught && f64::from(s.minutes) + 0.5 < need {
                problems.push(format!(
                    "{at}: {} min for {} words and {} lines of listing, past \
                     the rate ({WORDS_PER_MINUTE} words or \
                     {LINES_PER_MINUTE} lines a minute: it needs {need:.0}); \
                     raise its minutes, mark it `reading`, or shorten it",
                    s.minutes, s.words, s.code_lines
                ));
            }
        }
    }
    problems
}

/// A chapter taught without one its "You need" line names.
pub fn coherent(chapters: &[Chapter], plan: Plan, name: &str) -> Vec<String> {
    let taught: Vec<&str> = chapters
        .iter()
        .filter(|c| plan.teaches_chapter(c))
        .map(|c| c.file.as_str())
        .collect();
    let mut problems = Vec::new();
    for c in chapters.iter().filter(|c| plan.teaches_chapter(c)) {
        for need in &c.needs {
            if !taught.contains(&need.as_str()) {
                problems.push(format!(
                    "{name} teaches {} but skips {need}, which it needs: \
                     teach both, or mark {} `optional`",
                    c.file, c.file
                ));
            }
        }
    }
    problems
}

/// The clock rules of one laid-out day.
pub fn day(rows: &[Row], name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let clock = super::clock;
    let end = rows.last().map_or(plan::START, |r| r.start);
    if end > plan::END_BY {
        problems.push(format!(
            "{name} ends at {}, after {}: mark sections `optional` or \
             `reading`, or shorten them",
            clock(end),
            clock(plan::END_BY)
        ));
    }
    let lunches: Vec<&Row> =
        rows.iter().filter(|r| r.kind == Kind::Lunch).collect();
    match lunches.as_slice() {
        [l] if l.start >= plan::LUNCH_AFTER => {}
        [l] => problems
            .push(format!("{name}: lunch at {}, before noon", clock(l.start))),
        _ => {
            problems.push(format!("{name}: {} lunches, not one", lunches.len()))
        }
    }
    // Pieces of a chapter (with their debriefs) and blocks between pauses.
    let (mut piece, mut block) = (None::<(usize, u32, u32)>, 0);
    let mut pieces = Vec::new();
    for r in rows {
        match &r.kind {
            Kind::Chapter { index, part } => {
                if piece.is_some_and(|(i, p, _)| (i, p) != (*index, *part)) {
                    pieces.extend(piece.take());
                }
                let (_, _, m) = piece.get_or_insert((*index, *part, 0));
                *m += r.minutes();
            }
            Kind::Debrief => {
                if let Some((_, _, m)) = piece.as_mut() {
                    *m += r.minutes();
                }
            }
            _ => pieces.extend(piece.take()),
        }
        if matches!(r.kind, Kind::Break | Kind::Lunch | Kind::End) {
            if block > plan::STRETCH + plan::OVERRUN {
                problems.push(format!(
                    "{name}: {block} min without a break, before {}",
                    clock(r.start)
                ));
            }
            block = 0;
        } else {
            block += r.minutes();
        }
    }
    for &(index, part, minutes) in &pieces {
        let split = pieces.iter().filter(|(i, ..)| *i == index).count() > 1;
        if split && minutes < plan::MIN_PART {
            problems.push(format!(
                "{name}: a piece of a chapter of {minutes} min (part {part}), \
                 under {} min",
                plan::MIN_PART
            ));
        }
    }
    problems
}

/// Hands-on minutes over all teaching minutes (breaks and lunch apart).
pub fn hands_on(days: &[&[Row]]) -> f64 {
    let rows = days.iter().flat_map(|d| d.iter());
    let (mut exercise, mut all) = (0, 0);
    for r in rows
        .filter(|r| !matches!(r.kind, Kind::Break | Kind::Lunch | Kind::End))
    {
        exercise += r.exercise;
        all += r.minutes();
    }
    f64::from(exercise) / f64::from(all.max(1))
}

/// The share of hands-on time, and (one day) an exercise in every block.
pub fn practice(days: &[&[Row]], name: &str, every_block: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let share = hands_on(days);
    if share < HANDS_ON {
        problems.push(format!(
            "{name}: exercises are {:.0}% of the teaching time, under {:.0}%: \
             lengthen exercises, add one, or teach less",
            share * 100.0,
            HANDS_ON * 100.0
        ));
    }
    if every_block {
        for d in days {
            let (mut taught, mut exercise) = (false, false);
            for r in d.iter() {
                if matches!(r.kind, Kind::Break | Kind::Lunch | Kind::End) {
                    if taught && !exercise {
                        problems.push(format!(
                            "{name}: the block before {} has no exercise",
                            super::clock(r.start)
                        ));
                    }
                    (taught, exercise) = (false, false);
                }
                taught |= matches!(r.kind, Kind::Chapter { .. });
                exercise |= r.exercise > 0;
            }
        }
    }
    problems
}

/// The two days end within `BALANCE` minutes of each other.
pub fn balanced(day1: &[Row], day2: &[Row]) -> Vec<String> {
    let end = |d: &[Row]| d.last().map_or(plan::START, |r| r.start);
    let (a, b) = (end(day1), end(day2));
    if a.abs_diff(b) > BALANCE {
        return vec![format!(
            "the two days end at {} and {}, more than {BALANCE} min apart",
            super::clock(a),
            super::clock(b)
        )];
    }
    Vec::new()
}
