//! Nothing to see: this crate exists for its dependencies. See Cargo.toml.
