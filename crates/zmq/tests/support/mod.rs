//! Shared helpers of the integration tests (`mod support;`).

pub mod fault_proxy;
