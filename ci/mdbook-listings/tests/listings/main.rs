//! Tests of the caption preprocessor: a small book in a temporary directory
//! (a chapter plus fake listing crates) goes in, captioned Markdown comes out.

mod helpers;

mod broken;
mod captions;
mod exercises;
mod targets;
