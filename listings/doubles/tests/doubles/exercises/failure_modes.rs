//! Exercise for "When the email service fails or changes": a service that
//! stays down, and what the client and the outbox do about it.

mod solution;
mod starter;
