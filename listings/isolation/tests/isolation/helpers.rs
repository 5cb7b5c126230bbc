//! Shared by every module of this test binary.
