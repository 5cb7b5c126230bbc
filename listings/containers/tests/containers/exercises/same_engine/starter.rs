//! The starter: an ignored test that fails until you solve it.

use super::requested_major_version;
use crate::helpers::postgres_for_this_test;

// ANCHOR: starter
/// The container runs the major version of PostgreSQL the harness asked
/// for, so a test run on a laptop and in CI talk to the same engine.
#[tokio::test]
#[ignore = "exercise starter: read the server's version instead of todo!()"]
// Until the todo!() is replaced, the assertion after it can't run; say so
// to the compiler and to clippy instead of letting them warn.
#[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
async fn the_container_runs_the_requested_major_version() {
    // An exercise about the container can't be done without one: with no
    // Docker engine this fails here, it never passes unsolved.
    let postgres = postgres_for_this_test().await.expect(
        "this exercise needs a Docker engine: start Docker (or point \
         DOCKER_HOST at one) and run it again",
    );

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
