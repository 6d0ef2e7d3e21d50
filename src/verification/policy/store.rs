//! The policy's storage in batches: a list of operations run one after another, answered in
//! order. The policy plans what a decision needs, reads it in one batch, decides, then writes in
//! another. In a wasm module every `await` costs a few hundred bytes of state machine; one per
//! batch instead of one per counter keeps the send policy small.

use crate::error::Result;
use crate::host::Host;
use crate::plugin::Plugin;
use crate::verification::storage_error;

/// One of the four storage operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Get(String),
    /// Add one; the TTL is set when the key is created.
    Incr(String, u32),
    Put(String, String, u32),
    Take(String),
}

/// What an operation answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The value read or taken.
    Value(Option<String>),
    /// The new count of an `Incr`.
    Count(i64),
    /// A `Put` is done.
    Done,
}

impl Reply {
    /// A count: an `Incr`'s, or a stored counter read with `Get` (0 when absent).
    pub fn count(&self) -> i64 {
        match self {
            Self::Count(n) => *n,
            Self::Value(Some(text)) => text.parse().unwrap_or(0),
            _ => 0,
        }
    }

    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Value(v) => v.as_deref(),
            _ => None,
        }
    }
}

impl<H: Host> Plugin<H> {
    /// Runs `ops` in order; the first storage failure ends the batch.
    pub(crate) async fn store(&self, ops: Vec<Op>) -> Result<Vec<Reply>> {
        let mut replies = Vec::with_capacity(ops.len());
        for op in ops {
            let host = &self.host;
            let reply = match op {
                Op::Get(key) => host.storage_get(&key).await.map(Reply::Value),
                Op::Incr(key, ttl) => host.storage_incr(&key, ttl).await.map(Reply::Count),
                Op::Put(key, value, ttl) => host
                    .storage_put(&key, &value, ttl)
                    .await
                    .map(|()| Reply::Done),
                Op::Take(key) => host.storage_take(&key).await.map(Reply::Value),
            };
            replies.push(reply.map_err(storage_error)?);
        }
        Ok(replies)
    }

    /// `store` for writes whose failure must not stop the caller (refunds, counters): a failed
    /// write errs on the side of the limits, or leaves a chart a little short.
    pub(crate) async fn store_best_effort(&self, ops: Vec<Op>) -> Vec<Reply> {
        if ops.is_empty() {
            return Vec::new();
        }
        self.store(ops).await.unwrap_or_default()
    }
}
