//! The module's own small executor, in place of wasm-bindgen-futures: an operation runs at once,
//! as far as it gets without waiting, and a JS Promise it waits for settles into a slot that
//! wakes its task directly. wasm-bindgen-futures first queues every task for a microtask, and
//! makes two closures for every Promise it awaits (and queues another microtask to poll after
//! it settles): on hooks that make a handful of host calls, that machinery cost more than the
//! flows themselves. Here an await costs two `bind`s and a `then`, and an operation that needs
//! no wait answers with a settled Promise.
//!
//! Single-threaded, like the module: tasks and slots live in thread-locals, and every borrow of
//! them ends before any future is polled or any JS is called, so that a host calling back into
//! the plugin from an import finds them free.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Work = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    /// None while it is being polled (or once it is done).
    work: Option<Work>,
    waker: Waker,
    /// Woken while it was being polled: poll it again.
    woken: bool,
}

/// A task's place in `TASKS`. A waker holds only this, so a stale one (of a finished task
/// whose place was reused) at worst polls a task once more, which futures allow.
struct TaskId(usize);

impl Wake for TaskId {
    fn wake(self: Arc<Self>) {
        run(self.0);
    }
}

/// What an awaited Promise has come to.
enum Slot {
    Free,
    Waiting(Option<Waker>),
    Settled(Result<JsValue, JsValue>),
    /// Its future was dropped first: freed when the Promise settles.
    Abandoned,
}

thread_local! {
    static TASKS: RefCell<Vec<Option<Task>>> = const { RefCell::new(Vec::new()) };
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    /// The one function every awaited Promise settles into, bound to its slot and outcome.
    static SETTLE: Closure<dyn Fn(u32, bool, JsValue)> = Closure::new(settle);
}

#[wasm_bindgen]
extern "C" {
    /// `SETTLE`'s function, as JS sees it.
    type Settler;

    #[wasm_bindgen(method, js_name = bind)]
    fn bind(this: &Settler, this_arg: &JsValue, slot: u32, fulfilled: bool) -> JsValue;

    /// A Promise, for its two-callback `then`.
    type Awaitable;

    #[wasm_bindgen(method)]
    fn then(this: &Awaitable, fulfilled: &JsValue, rejected: &JsValue);
}

/// Starts `work`: it runs now, until its first wait.
pub fn spawn(work: impl Future<Output = ()> + 'static) {
    let id = TASKS.with_borrow_mut(|tasks| {
        let id = tasks
            .iter()
            .position(Option::is_none)
            .unwrap_or(tasks.len());
        let task = Some(Task {
            work: Some(Box::pin(work)),
            waker: Waker::from(Arc::new(TaskId(id))),
            woken: false,
        });
        match tasks.get_mut(id) {
            Some(free) => *free = task,
            None => tasks.push(task),
        }
        id
    });
    run(id);
}

fn run(id: usize) {
    loop {
        let taken = TASKS.with_borrow_mut(|tasks| {
            let task = tasks.get_mut(id)?.as_mut()?;
            task.woken = false;
            Some((task.work.take()?, task.waker.clone()))
        });
        // Not there: finished, or being polled further up the stack (then `woken` is set).
        let Some((mut work, waker)) = taken else {
            TASKS.with_borrow_mut(|tasks| {
                if let Some(Some(task)) = tasks.get_mut(id) {
                    task.woken = true;
                }
            });
            return;
        };
        let done = work
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready();
        let again = TASKS.with_borrow_mut(|tasks| match tasks.get_mut(id) {
            Some(slot) if done => {
                *slot = None;
                false
            }
            Some(Some(task)) => {
                task.work = Some(work);
                task.woken
            }
            _ => false,
        });
        if !again {
            return;
        }
    }
}

fn settle(slot: u32, fulfilled: bool, value: JsValue) {
    let result = if fulfilled { Ok(value) } else { Err(value) };
    let waker = SLOTS.with_borrow_mut(|slots| {
        let slot = slots.get_mut(slot as usize)?;
        match std::mem::replace(slot, Slot::Settled(result)) {
            Slot::Waiting(waker) => waker,
            _ => {
                *slot = Slot::Free;
                None
            }
        }
    });
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// A JS Promise, awaited.
pub struct Settled {
    slot: usize,
}

/// Waits for `promise`.
pub fn wait(promise: &Promise) -> Settled {
    let slot = SLOTS.with_borrow_mut(|slots| {
        let free = slots.iter().position(|s| matches!(s, Slot::Free));
        let slot = free.unwrap_or(slots.len());
        match slots.get_mut(slot) {
            Some(free) => *free = Slot::Waiting(None),
            None => slots.push(Slot::Waiting(None)),
        }
        slot
    });
    SETTLE.with(|settle| {
        let settle: &Settler = settle.as_ref().unchecked_ref();
        let (on, off) = (
            settle.bind(&JsValue::NULL, slot as u32, true),
            settle.bind(&JsValue::NULL, slot as u32, false),
        );
        promise.unchecked_ref::<Awaitable>().then(&on, &off);
    });
    Settled { slot }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        SLOTS.with_borrow_mut(|slots| {
            let slot = &mut slots[self.slot];
            match std::mem::replace(slot, Slot::Free) {
                Slot::Settled(result) => Poll::Ready(result),
                _ => {
                    *slot = Slot::Waiting(Some(cx.waker().clone()));
                    Poll::Pending
                }
            }
        })
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        SLOTS.with_borrow_mut(|slots| {
            if let Some(slot) = slots.get_mut(self.slot) {
                if matches!(slot, Slot::Waiting(_)) {
                    *slot = Slot::Abandoned;
                }
            }
        });
    }
}

/// How an operation's answer reaches its Promise: kept when it came before the Promise was
/// made, else handed to the Promise's own functions.
enum Answer {
    Pending,
    Ready(Result<JsValue, JsValue>),
    Settle(Function, Function),
}

/// Runs `work` at once and answers its Promise: already settled when `work` needed no wait
/// (no Promise to construct, no microtask before it even starts).
pub fn promise(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let answer = Rc::new(RefCell::new(Answer::Pending));
    let sink = answer.clone();
    spawn(async move {
        let result = work.await;
        let settle = sink.replace(Answer::Pending);
        match (settle, result) {
            (Answer::Settle(resolve, _), Ok(value)) => drop(resolve.call1(&JsValue::NULL, &value)),
            (Answer::Settle(_, reject), Err(error)) => drop(reject.call1(&JsValue::NULL, &error)),
            (_, result) => *sink.borrow_mut() = Answer::Ready(result),
        }
    });
    let ready = answer.replace(Answer::Pending);
    match ready {
        Answer::Ready(Ok(value)) => Promise::resolve(&value),
        Answer::Ready(Err(error)) => Promise::reject(&error),
        _ => {
            let mut functions = None;
            let promise = Promise::new(&mut |resolve, reject| functions = Some((resolve, reject)));
            if let Some((resolve, reject)) = functions {
                *answer.borrow_mut() = Answer::Settle(resolve, reject);
            }
            promise
        }
    }
}
