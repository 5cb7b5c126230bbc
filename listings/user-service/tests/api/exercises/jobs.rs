//! Exercise for "Jobs, queues and workers": a refused sign-up must leave no
//! job behind, which only draining the real queue can show.

mod solution;
mod starter;
