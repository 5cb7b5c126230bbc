//! Exercise for "Real dependencies in containers": prove the container runs
//! the PostgreSQL version the harness asked for.

/// The major version the harness asked for: the leading digits of
/// `POSTGRES_TAG` ("15", "15.4", "15-alpine"), or of the default tag.
fn requested_major_version() -> u32 {
    let tag = std::env::var(containers::postgres::TAG_VAR)
        .unwrap_or_else(|_| containers::postgres::DEFAULT_TAG.to_owned());
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| {
        panic!("POSTGRES_TAG {tag:?} doesn't start with a major version")
    })
}

mod starter {
    use super::requested_major_version;
    use crate::helpers::postgres_for_this_test;

    // ANCHOR: starter
    /// The container runs the major version of PostgreSQL the harness asked
    /// for, so a test run on a laptop and in CI talk to the same engine.
    #[tokio::test]
    #[ignore = "exercise starter: ask the server for its version instead of the todo!()"]
    // Until the todo!() is replaced, the assertion after it can't run; say so
    // to the compiler instead of letting it warn.
    #[allow(unreachable_code, unused_variables)]
    async fn the_container_runs_the_requested_major_version() {
        let Some(postgres) = postgres_for_this_test().await else {
            return;
        };

        // Hint: `SHOW server_version_num` answers e.g. "150013" for 15.13.
        let running: u32 = todo!(
            "connect to {} and read the server's major version",
            postgres.url
        );

        assert_eq!(
            running,
            requested_major_version(),
            "major version of the container's server"
        );
    }
    // ANCHOR_END: starter
}

mod solution {
    use sqlx::{Connection, PgConnection};

    use super::requested_major_version;
    use crate::helpers::postgres_for_this_test;

    // ANCHOR: solution
    /// The container runs the major version of PostgreSQL the harness asked
    /// for, so a test run on a laptop and in CI talk to the same engine.
    #[tokio::test]
    async fn the_container_runs_the_requested_major_version() {
        let Some(postgres) = postgres_for_this_test().await else {
            return;
        };

        let mut conn = PgConnection::connect(&postgres.url)
            .await
            .expect("connect to the container");
        let version_num: String = sqlx::query_scalar("SHOW server_version_num")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        // Since PostgreSQL 10 the number is major * 10000 + minor.
        let running: u32 = version_num
            .parse::<u32>()
            .expect("server_version_num is a number")
            / 10_000;

        assert_eq!(
            running,
            requested_major_version(),
            "major version of the container's server"
        );
    }
    // ANCHOR_END: solution
}
