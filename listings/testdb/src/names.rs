//! Names, keys, and the owner rule as a pure function.

/// The first 12 hex digits of a SHA-256 of sqlx's migration checksums.
pub fn migrations_hash(migrator: &sqlx::migrate::Migrator) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for migration in migrator.iter() {
        hasher.update(migration.version.to_le_bytes());
        hasher.update(&*migration.checksum);
    }
    format!("{:x}", hasher.finalize())[..12].to_string()
}

/// A hash's advisory-lock key: 48 bits, below every process key.
pub fn hash_key(hash: &str) -> i64 {
    i64::from_str_radix(hash, 16).unwrap_or(0)
}

/// A new process key: random, bit 62 set, never negative.
pub fn process_key() -> i64 {
    (random_u64() as i64 & 0x3fff_ffff_ffff_ffff) | 0x4000_0000_0000_0000
}

/// `testdb_<hash>_tpl`: the migrated template.
pub fn template(hash: &str) -> String {
    format!("testdb_{hash}_tpl")
}

/// `testdb_<hash>_stock_<random>`: a clean clone nobody has claimed.
pub fn stock(hash: &str) -> String {
    format!("testdb_{hash}_stock_{:016x}", random_u64())
}

/// `testdb_<hash>_<key>_<n>`: owned by the process holding lock `key`.
pub fn owned(hash: &str, key: i64, n: u64) -> String {
    format!("testdb_{hash}_{key:016x}_{n}")
}

/// The `LIKE` pattern of the stock of one hash.
pub fn stock_pattern(hash: &str) -> String {
    format!("testdb\\_{hash}\\_stock\\_%")
}

/// A testdb name's hash and its owner's key (`None`: template, stock).
fn parse(name: &str) -> Option<(&str, Option<i64>)> {
    let (hash, rest) = name.strip_prefix("testdb_")?.split_once('_')?;
    let hex = hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    match rest.split_once('_') {
        _ if !hex => None,
        _ if rest == "tpl" || rest.starts_with("stock_") => Some((hash, None)),
        Some((key, n)) if key.len() == 16 && n.parse::<u64>().is_ok() => {
            Some((hash, Some(i64::from_str_radix(key, 16).ok()?)))
        }
        _ => None,
    }
}

/// The comment testdb writes on what it leaves for later, with the time.
pub fn comment(what: &str) -> String {
    format!("testdb {what} {}", unix_now())
}

/// The owner rule (crate docs), for a database with its comment and its
/// sessions. `held`: every advisory key held on the server.
pub fn may_drop(
    (name, comment, connections): &(String, String, i64),
    held: &std::collections::HashSet<i64>,
    stale_before: u64,
) -> bool {
    let Some((hash, key)) = parse(name) else { return false }; // not testdb's
    let mut words = comment.split(' ').skip(1); // as `comment` wrote it
    let kept = words.next() == Some("kept");
    let touched = words.next().and_then(|t| t.parse::<u64>().ok());
    let stale = touched.is_none_or(|t| t <= stale_before);
    *connections == 0
        && match key {
            // A live owner keeps all it holds, kept databases included.
            Some(key) => !held.contains(&key) && (!kept || stale),
            // Template and stock: no live run has these migrations.
            None => !held.contains(&hash_key(hash)) && stale,
        }
}

/// A random number from std alone: `RandomState` is seeded by the OS.
pub fn random_u64() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(unix_now())
}

pub fn unix_now() -> u64 {
    std::time::UNIX_EPOCH.elapsed().map_or(0, |t| t.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row: a database, the keys held, whether a run may drop it.
    #[test]
    fn the_owner_rule() {
        let (h, key, now) = ("0123456789ab", process_key(), unix_now());
        let at = |what, t: u64| format!("testdb {what} {t}");
        let rows = [
            ((owned(h, key, 1), String::new(), 0), vec![key], false),
            ((owned(h, key, 1), String::new(), 0), vec![], true),
            ((owned(h, key, 1), at("kept", 1), 1), vec![], false),
            ((owned(h, key, 1), at("kept", now), 0), vec![], false),
            ((owned(h, key, 1), at("kept", now - 99), 0), vec![], true),
            ((template(h), at("template", 1), 0), vec![hash_key(h)], false),
            ((template(h), at("template", 1), 0), vec![], true),
            ((stock(h), at("stock", now), 0), vec![], false),
            (("orders".into(), String::new(), 0), vec![], false),
        ];
        for (db, held, expected) in rows {
            let seen = may_drop(&db, &held.into_iter().collect(), now - 10);
            assert_eq!(seen, expected, "{db:?}");
        }
        assert_eq!(parse(&owned(h, key, 7)), Some((h, Some(key))));
        assert!(process_key() > hash_key("ffffffffffff"));
    }
}
