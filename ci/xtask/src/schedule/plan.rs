//! Lays a day's chapters out on the clock, by the rules the instructor
//! page states: a welcome (with set-up triage on the first day), a break
//! after at most `STRETCH` minutes, lunch at the first break after noon,
//! a debrief after every exercise, a wrap-up at the end, and no chapter
//! cut into a piece under `MIN_PART` minutes.

use super::material::{Chapter, Level, Section};

/// 09:00, in minutes after midnight.
pub const START: u32 = 9 * 60;
/// A day ends by 17:30, breaks and lunch included.
pub const END_BY: u32 = 17 * 60 + 30;
/// Longest stretch of teaching before a break.
pub const STRETCH: u32 = 90;
/// A stretch may run this much longer rather than cut a chapter into a
/// piece under `MIN_PART`.
pub const OVERRUN: u32 = 20;
pub const BREAK: u32 = 10;
pub const LUNCH: u32 = 60;
/// Lunch is the first break that starts at noon or later.
pub const LUNCH_AFTER: u32 = 12 * 60;
/// No piece of a chapter, before or after a break, is shorter.
pub const MIN_PART: u32 = 15;
/// After each exercise: what did you find, what surprised you.
pub const DEBRIEF: u32 = 5;

/// Which plan: sections marked `optional` are taught on two days only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    OneDay,
    TwoDays,
}

impl Plan {
    pub fn teaches(self, chapter: &Chapter, s: &Section) -> bool {
        let whole = chapter.sections.first().map_or(Level::Core, |s| s.level);
        let level = if whole == Level::Core {
            s.level
        } else {
            whole.max_with(s.level)
        };
        match level {
            Level::Core => true,
            Level::Optional => self == Plan::TwoDays,
            Level::Reading => false,
        }
    }

    pub fn taught(self, c: &Chapter) -> impl Iterator<Item = &Section> {
        c.sections.iter().filter(move |s| self.teaches(c, s))
    }

    pub fn teaches_chapter(self, c: &Chapter) -> bool {
        self.taught(c).next().is_some()
    }
}

impl Level {
    /// The less taught of two levels.
    fn max_with(self, other: Level) -> Level {
        let rank = |l: Level| match l {
            Level::Core => 0,
            Level::Optional => 1,
            Level::Reading => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Welcome (and set-up triage on the first day), wrap-up.
    Frame,
    /// A chapter's piece: its index in the day, and which piece.
    Chapter {
        index: usize,
        part: u32,
    },
    Debrief,
    Break,
    Lunch,
    End,
}

/// One row of a timetable.
#[derive(Debug, Clone)]
pub struct Row {
    pub start: u32,
    pub kind: Kind,
    pub what: String,
    pub talk: u32,
    pub exercise: u32,
}

impl Row {
    pub fn minutes(&self) -> u32 {
        self.talk + self.exercise
    }
}

/// The clock of one day while it is laid out.
struct Day {
    rows: Vec<Row>,
    now: u32,
    since_break: u32,
    lunch_taken: bool,
}

impl Day {
    fn push(&mut self, kind: Kind, what: String, talk: u32, exercise: u32) {
        self.rows.push(Row {
            start: self.now,
            kind,
            what,
            talk,
            exercise,
        });
        self.now += talk + exercise;
        self.since_break += talk + exercise;
    }

    /// A break, or lunch when it is the first break after noon.
    fn pause(&mut self) {
        let lunch = !self.lunch_taken && self.now >= LUNCH_AFTER;
        let (kind, what, len) = if lunch {
            self.lunch_taken = true;
            (Kind::Lunch, "*Lunch*", LUNCH)
        } else {
            (Kind::Break, "*Break*", BREAK)
        };
        self.rows.push(Row {
            start: self.now,
            kind,
            what: what.into(),
            talk: len,
            exercise: 0,
        });
        self.now += len;
        self.since_break = 0;
    }

    /// Lunch is due: it is past noon and the next piece would run into
    /// the early afternoon.
    fn hungry(&self, next: u32) -> bool {
        !self.lunch_taken
            && self.now >= LUNCH_AFTER
            && self.now + next > LUNCH_AFTER + 45
    }
}

/// A chapter's pieces as taught: each section, an exercise with its
/// debrief as one piece (never split by a break).
fn units(c: &Chapter, plan: Plan) -> Vec<(u32, u32, bool)> {
    plan.taught(c)
        .map(|s| {
            if s.exercise {
                (DEBRIEF, s.minutes, true)
            } else {
                (s.minutes, 0, false)
            }
        })
        .collect()
}

/// Lays `chapters` out on one day; `first` and `last` say whether it opens
/// or closes the course.
pub fn day_rows(
    chapters: &[&Chapter],
    plan: Plan,
    first: bool,
    last: bool,
) -> Vec<Row> {
    let mut day = Day {
        rows: Vec::new(),
        now: START,
        since_break: 0,
        lunch_taken: false,
    };
    let welcome = if first {
        ("*Welcome; set-up triage (whose warm-up failed)*", 20)
    } else {
        ("*Welcome back: questions from day 1*", 10)
    };
    day.push(Kind::Frame, welcome.0.into(), welcome.1, 0);
    for (index, c) in chapters.iter().enumerate() {
        lay_chapter(&mut day, c, index, plan);
    }
    let wrap = if last {
        ("*Wrap-up: questions, what to take home*", 15)
    } else {
        ("*Wrap-up of the day*", 10)
    };
    if day.since_break + wrap.1 > STRETCH + OVERRUN {
        day.pause();
    }
    day.push(Kind::Frame, wrap.0.into(), wrap.1, 0);
    day.rows.push(Row {
        start: day.now,
        kind: Kind::End,
        what: "*End of the day*".into(),
        talk: 0,
        exercise: 0,
    });
    day.rows
}

fn lay_chapter(day: &mut Day, c: &Chapter, index: usize, plan: Plan) {
    let units = units(c, plan);
    let total: u32 = units.iter().map(|(t, e, _)| t + e).sum();
    if total == 0 {
        return;
    }
    // Rather break before a chapter than inside it, once the room has been
    // at it for half a stretch, or when lunch is due.
    if day.since_break > 0
        && ((day.since_break >= STRETCH / 2
            && day.since_break + total > STRETCH)
            || day.hungry(total.min(STRETCH)))
    {
        day.pause();
    }
    let link = format!("[{}]({})", c.title, c.file);
    let (mut part, mut done, mut left) = (1, 0, total);
    let mut row: Option<Row> = None;
    // Every row of the chapter after its first says it goes on: after a
    // break, or after one of its exercises and the debrief.
    let mut started = false;
    for (talk, exercise, is_exercise) in units {
        let len = talk + exercise;
        let over = day.since_break + len > STRETCH;
        let may_split = done >= MIN_PART && left >= MIN_PART;
        let must = day.since_break + len > STRETCH + OVERRUN || day.hungry(len);
        if (over && may_split) || (must && done > 0) {
            day.rows.extend(row.take());
            day.pause();
            part += 1;
            done = 0;
        }
        let start = day.now;
        let r = row.get_or_insert_with(|| Row {
            start,
            kind: Kind::Chapter { index, part },
            what: if started {
                format!("{link} (continued)")
            } else {
                link.clone()
            },
            talk: 0,
            exercise: 0,
        });
        started = true;
        if is_exercise {
            r.exercise += exercise;
            day.now += exercise;
            day.since_break += exercise;
            day.rows.extend(row.take());
            day.push(
                Kind::Debrief,
                "*Debrief of the exercise*".into(),
                talk,
                0,
            );
        } else {
            r.talk += talk;
            day.now += talk;
            day.since_break += talk;
        }
        done += len;
        left -= len;
    }
    day.rows.extend(row);
}
