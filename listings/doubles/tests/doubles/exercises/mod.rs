//! End-of-chapter exercise for "When the email service fails or changes": a
//! `starter` (ignored, fails until solved) and its `solution`, in files of
//! their own. `cargo xtask exercises` proves the starter fails and the
//! solution passes.

mod failure_modes;
