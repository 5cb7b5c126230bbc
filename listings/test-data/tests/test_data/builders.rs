//! Test data in one line: a valid user by default, with only the fields the
//! test is about spelled out.

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use fake::{
    Fake,
    faker::name::en::{FirstName, LastName},
};
use rand::rngs::StdRng;
use serde_json::{Value, json};
use sqlx::PgPool;
use user_service::{clock::Clock, users::User};

use crate::{clock::TestClock, seed};

// ANCHOR: test_data
/// Where one test's data comes from: fake values from a seeded generator,
/// serial numbers that make values unique, and a clock for timestamps.
pub struct TestData {
    test: String,
    seed: u64,
    rng: StdRng,
    /// Counts the users this test made, to make each email unique.
    made: u32,
    /// Set when the seed came from the run (not from the test itself), so a
    /// failure can say how to replay it.
    replayable: bool,
    pub clock: Arc<TestClock>,
}

impl TestData {
    /// Data for the running test, from this run's seed.
    pub fn new() -> Self {
        let mut data =
            TestData::with_seed(&seed::current_test(), seed::run_seed());
        data.replayable = true;
        data
    }

    /// Data from a seed the test chooses, whatever `TEST_SEED` says.
    pub fn with_seed(test: &str, seed: u64) -> Self {
        TestData {
            test: test.to_owned(),
            seed,
            rng: seed::rng_for(test, seed),
            made: 0,
            replayable: false,
            clock: Arc::new(TestClock::new()),
        }
    }

    /// A user with a realistic name and an email no other user of this run
    /// has. Override what the test is about; leave the rest alone.
    pub fn user(&mut self) -> UserBuilder {
        let first: String = FirstName().fake_with_rng(&mut self.rng);
        let last: String = LastName().fake_with_rng(&mut self.rng);
        self.made += 1;
        let email = format!(
            "{}.{}.{}@{}",
            slug(&first),
            slug(&last),
            self.made,
            self.domain()
        );
        UserBuilder {
            name: format!("{first} {last}"),
            email,
            created_at: self.clock.now(),
        }
    }

    /// A domain of the test's own, made from its name: two tests never make
    /// the same address, even if they share a database or an email sandbox,
    /// and the same test makes the same addresses on every run. `.test` is
    /// reserved: mail to it can't reach anyone.
    fn domain(&self) -> String {
        format!("t{:08x}.example.test", seed::stable_hash(&self.test) as u32)
    }
}
// ANCHOR_END: test_data

// ANCHOR: replay_hint -- a failing test prints its seed and the command that replays its data
impl Drop for TestData {
    /// When the test fails, say which seed its data came from and how to
    /// get exactly that data again. A passing test prints nothing.
    fn drop(&mut self) {
        if self.replayable {
            seed::hint_if_failing(self.seed, &self.test);
        }
    }
}
// ANCHOR_END: replay_hint

/// Lower-case letters only: `O'Connor` → `oconnor`, a valid email part.
fn slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

// ANCHOR: user_builder
/// A user that doesn't exist yet. Every field has a valid default.
#[derive(Debug, Clone, PartialEq)]
pub struct UserBuilder {
    pub name: String,
    pub email: String,
    pub created_at: SystemTime,
}

impl UserBuilder {
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = email.to_owned();
        self
    }

    /// The body of `POST /users`, for tests that go through the API.
    pub fn json(&self) -> Value {
        json!({ "name": self.name, "email": self.email })
    }

    /// Straight into the database, for a user the test needs as a given
    /// rather than as the thing under test. Skips the API on purpose: it is
    /// faster, and a bug in sign-up then fails the sign-up tests only.
    pub async fn insert(self, pool: &PgPool) -> User {
        let created_at = self
            .created_at
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        sqlx::query_as(
            "INSERT INTO users (name, email, created_at) \
             VALUES ($1, $2, to_timestamp($3)) RETURNING id, name, email",
        )
        .bind(&self.name)
        .bind(&self.email)
        .bind(created_at)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|error| {
            panic!("could not insert the test user {self:?}: {error}")
        })
    }
}
// ANCHOR_END: user_builder
