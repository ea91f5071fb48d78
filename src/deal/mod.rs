//! Deals: the heart of the domain.

pub mod pricing;
