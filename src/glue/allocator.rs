//! The module's memory allocator: free lists by power-of-two size class over memory grown a page
//! at a time. The default one (dlmalloc) is a general-purpose allocator of 7 KB; the plugin's
//! allocations are many, short-lived and of a few shapes per request, which size classes serve
//! with a few hundred bytes of code. A freed block goes back to its class and is reused by the
//! next allocation of that class, so a steady load keeps memory flat. Blocks are never split or
//! merged: memory is the sum of each class's own peak, each rounded up to a power of two.
//!
//! wasm32-unknown-unknown without threads runs one call at a time, so the state needs no lock.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

const PAGE: usize = 65_536;
/// Classes 2^3 (8 bytes) to 2^31.
const CLASSES: usize = 32;
const MIN_CLASS: u32 = 3;
/// Blocks of this size or more start on a 4 KiB boundary; an alignment beyond it is refused.
const MAX_ALIGN: usize = 4096;

struct State {
    /// Head of each class's list of free blocks; a free block holds the next one's address.
    free: [usize; CLASSES],
    /// Where the unused rest of the grown memory begins, and where it ends.
    next: usize,
    end: usize,
}

pub struct SizeClasses(UnsafeCell<State>);

// SAFETY: this target runs a single thread; nothing is shared across threads.
unsafe impl Sync for SizeClasses {}

impl SizeClasses {
    pub const fn new() -> Self {
        Self(UnsafeCell::new(State {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }))
    }
}

/// The class of a layout: the smallest power of two at least its size and alignment.
fn class_of(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    size.next_power_of_two().trailing_zeros() as usize
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let state = &mut *self.0.get();
        let class = class_of(layout);
        if class >= CLASSES || layout.align() > MAX_ALIGN {
            return std::ptr::null_mut();
        }
        let head = state.free[class];
        if head != 0 {
            state.free[class] = *(head as *const usize);
            return head as *mut u8;
        }
        let size = 1usize << class;
        let align = size.min(MAX_ALIGN);
        loop {
            let start = (state.next + align - 1) & !(align - 1);
            if let Some(end) = start.checked_add(size).filter(|end| *end <= state.end) {
                state.next = end;
                return start as *mut u8;
            }
            // Enough pages for an aligned block wherever the rest begins.
            let pages = (size + align).div_ceil(PAGE);
            let grown = core::arch::wasm32::memory_grow(0, pages);
            let Some(end) = grown.checked_add(pages).and_then(|p| p.checked_mul(PAGE)) else {
                return std::ptr::null_mut();
            };
            if grown * PAGE != state.end {
                // The first growth: what lay below belongs to the module (data and stack).
                state.next = grown * PAGE;
            }
            state.end = end;
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let state = &mut *self.0.get();
        let class = class_of(layout);
        *(ptr as *mut usize) = state.free[class];
        state.free[class] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        if class_of(new_layout) == class_of(layout) {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}
