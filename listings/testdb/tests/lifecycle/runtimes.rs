//! Each `#[tokio::test]` has a runtime of its own, which ends with the
//! test. testdb connects a test's pool ahead, on its own thread's runtime,
//! which lives as long as the process: so a pool still works from a test
//! that starts after another test's runtime has ended.

/// The same migrations as `in_your_project`'s: one set per process.
static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("./example_migrations");

fn in_a_runtime_of_its_own() -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = testdb::fresh_database(&MIGRATOR).await;
        sqlx::query("INSERT INTO users (email) VALUES ($1)")
            .bind(&db.name)
            .execute(&db.pool)
            .await
            .expect("the pool works from this test's runtime");
        db.name.clone()
    })
}

#[test]
fn pools_work_from_one_test_runtime_after_another() {
    let first = in_a_runtime_of_its_own();
    let second = in_a_runtime_of_its_own();
    assert_ne!(first, second, "each test had a database of its own");
}
