//! End-of-chapter exercise for "The checklist, proven": a `starter` (ignored,
//! fails until solved) and its `solution`. `ci/check-exercises` proves the
//! starter fails and the solution passes.

mod checklist;
