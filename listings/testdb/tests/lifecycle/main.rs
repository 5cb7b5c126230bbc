//! The harness's promises about its own life, each proven with real test
//! processes: this same binary, re-run as a child for one of its ignored
//! `child_*` tests, because each scenario needs processes of its own (an
//! environment of their own, or a death of their own).

mod children;
mod errors;
mod helpers;
mod in_your_project;
mod ownership;
mod runtimes;
mod shared_cluster;
