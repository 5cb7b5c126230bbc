//! Empty: see Cargo.toml. Depending on this crate only adds features.
