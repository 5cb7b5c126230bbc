//! Strategy: a database per test, cloned from a migrated template.

use isolation::{
    handmade::{drop_template, own_database},
    users::{count_users, create_user},
};

use crate::helpers;

// ANCHOR: by_hand
/// The hand-written harness: each test gets the whole schema, and sees
/// only its own rows.
#[tokio::test]
async fn the_handmade_harness_gives_each_test_its_own_database() {
    let server = helpers::server();
    let first = own_database(&server).await;
    let second = own_database(&server).await;

    let mut conn = first.pool.acquire().await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();
    drop(conn);

    let mut conn = second.pool.acquire().await.unwrap();
    let seen = count_users(&mut conn).await.expect("the schema is there");
    assert_eq!(seen, 0, "the second database has no users, saw {seen}");
    drop(conn);
    first.finish().await;
    second.finish().await;
    drop_template(&server).await;
}
// ANCHOR_END: by_hand

// ANCHOR: testdb
/// testdb hands every test a clone of its own: what one writes, no other sees.
#[tokio::test]
async fn two_fresh_databases_share_nothing() {
    let first = helpers::fresh_database().await;
    let second = helpers::fresh_database().await;

    let mut conn = first.pool.acquire().await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();

    assert_ne!(
        first.name, second.name,
        "each test gets a database of its own"
    );
    let seen = count_users(&mut second.pool.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        seen, 0,
        "expected the second database to be empty, but it has {seen} users"
    );
}
// ANCHOR_END: testdb
