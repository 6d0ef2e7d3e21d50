//! The boundary, and the only code that knows how a host reaches the plugin: one adapter per
//! build, over the same flows.
//!
//! - `bindgen`: the wasm-bindgen build (`wasm32-unknown-unknown`, `pkg/`), for JS hosts: JS
//!   values in and out, Promises for everything that touches the host.
//! - `component`: the WebAssembly component built from `wit/` with wit-bindgen
//!   (`wasm32-wasip2`, `pkg/component/`), for any host that speaks the component model.
//!
//! Names follow one rule across the boundary: `before-register` (WIT), `before_register` (Rust),
//! `beforeRegister` (JS).

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(not(target_os = "wasi"))]
pub mod bindgen;
#[cfg(target_os = "wasi")]
mod component;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: allocator::SizeClasses = allocator::SizeClasses::new();
