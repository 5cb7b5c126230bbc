//! The checklist, proven: one module per item that no earlier chapter shows.

mod behaviour;
mod cleanup;
mod migrations;
mod pool_budget;
mod slow_setup;
mod template_session;
mod works_locally;
