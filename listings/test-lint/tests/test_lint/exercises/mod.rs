//! End-of-chapter exercise for "The checklist, proven": a `starter` (ignored,
//! fails until solved) and its `solution`. `cargo xtask exercises` proves the
//! starter fails and the solution passes.

mod checklist;
