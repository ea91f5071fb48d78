//! The demo organisation: a realistic, deterministic data set to explore in GraphiQL and to
//! load-test with. Contents are the same on every run; dates are relative to the day it runs,
//! and ids are fresh UUIDv7s (so demo ids stay unguessable too).

mod data;
mod rng;
mod seed;

pub use seed::{DEFAULT_DEALS, DEMO_ORG_NAME, Seeded, ensure_demo};
