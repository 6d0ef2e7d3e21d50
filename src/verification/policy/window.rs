//! Limits over a sliding window (an hour, a day) with only the four storage operations, so they
//! hold across hosts that share a store.
//!
//! Each window is counted in fixed buckets of its own length: `incr` on the current bucket, plus
//! the previous bucket weighted by the share of it still inside the window that ends now (the
//! "sliding window counter" of Cloudflare's and Redis's rate limiters). Unlike a fixed window
//! there is no burst at the edge: just after it the previous bucket still counts almost whole.
//!
//! A window counts what was admitted. A request refused by this or a later limit, or a send that
//! never left, is taken back by counting it in a refund bucket beside the count; each request
//! reads both buckets' counts and refunds (one `incr` and three `get`s per window, in the same
//! batch as every other window's). This file only plans and decides; `policy` runs the
//! operations in batches.

use super::store::Op;
use crate::error::Limit;

/// At most `limit` in any `seconds`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub seconds: u32,
    pub limit: u32,
}

/// One window counted for one request: which limit it is, its keys, and where now falls in
/// its bucket.
#[derive(Debug, Clone)]
pub struct Counted {
    pub limit: Limit,
    pub max: u32,
    amount: u32,
    key: String,
    previous: String,
    ttl: u32,
    span: i64,
    elapsed: i64,
}

impl Counted {
    /// `amount` more against `window` under the key `base`, at `now_ms`.
    pub fn new(base: &str, limit: Limit, window: Window, amount: u32, now_ms: i64) -> Self {
        let span = i64::from(window.seconds) * 1000;
        let bucket = now_ms.div_euclid(span);
        Self {
            limit,
            max: window.limit,
            // Every request counts at least once: the replies are read by position.
            amount: amount.max(1),
            key: format!("{base}/{bucket}"),
            previous: format!("{base}/{}", bucket - 1),
            ttl: window.seconds * 2,
            span,
            elapsed: now_ms - bucket * span,
        }
    }

    /// Reads both buckets' refunds and the previous count, then counts the request (one `incr`
    /// per unit: storage only adds one): `amount + 3` operations, the last `incr` answering the
    /// current count. The refunds are read first: every refund read belongs to an `incr` that
    /// came before, so the count minus the refunds is never less than what was admitted, even
    /// when several hosts count at once.
    pub fn count_ops(&self, ops: &mut Vec<Op>) {
        ops.push(Op::Get(format!("{}/r", self.key)));
        ops.push(Op::Get(format!("{}/r", self.previous)));
        ops.push(Op::Get(self.previous.clone()));
        for _ in 0..self.amount {
            ops.push(Op::Incr(self.key.clone(), self.ttl));
        }
    }

    pub fn count_ops_len(&self) -> usize {
        self.amount as usize + 3
    }

    /// Takes the request back.
    pub fn release_ops(&self, ops: &mut Vec<Op>) {
        for _ in 0..self.amount {
            ops.push(Op::Incr(format!("{}/r", self.key), self.ttl));
        }
    }

    /// Whether the counts, this request's included in `current`, are within the limit.
    pub fn fits(&self, current: i64, previous: i64) -> bool {
        within(
            previous,
            current,
            self.elapsed,
            self.span,
            i64::from(self.max),
        )
    }

    /// Seconds until this request would fit, the counts being those it did not fit with.
    pub fn wait(&self, current: i64, previous: i64) -> u32 {
        let amount = i64::from(self.amount);
        wait_seconds(
            previous,
            current - amount,
            amount,
            self.elapsed,
            self.span,
            i64::from(self.max),
        )
    }
}

/// The weighted count, `previous * (span - elapsed) / span + current`, is at most `limit`;
/// compared multiplied out so it stays in whole numbers.
fn within(previous: i64, current: i64, elapsed: i64, span: i64, limit: i64) -> bool {
    previous.max(0) * (span - elapsed) + current * span <= limit * span
}

/// Seconds until `amount` more fits beside `others` in this bucket and `previous` before it, as
/// the previous bucket slides out of the window (and, if that is not enough, this one too).
fn wait_seconds(
    previous: i64,
    others: i64,
    amount: i64,
    elapsed: i64,
    span: i64,
    limit: i64,
) -> u32 {
    let room_now = limit - others - amount;
    let wait_ms = if room_now >= 0 && previous > 0 {
        // previous * (span - e) <= room_now * span  <=>  e >= span - room_now * span / previous
        let need = span - room_now * span / previous;
        (need - elapsed).max(0)
    } else {
        // In the next bucket this one is the previous: others * (span - e) <= (limit - amount) * span.
        let room = (limit - amount).max(0);
        let need = if others > 0 {
            span - room * span / others
        } else {
            0
        };
        span - elapsed + need.max(0)
    };
    u32::try_from(wait_ms.div_euclid(1000) + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn the_previous_bucket_counts_by_the_share_still_in_the_window() {
        // 10 in the previous hour, 20 minutes into this one: 10 * 40/60 = 6.67 still count.
        let elapsed = HOUR / 3;
        assert!(within(10, 3, elapsed, HOUR, 10));
        assert!(!within(10, 4, elapsed, HOUR, 10));
        // Right after the edge, almost all of the previous hour still counts: no burst.
        assert!(!within(10, 1, 1_000, HOUR, 10));
    }

    #[test]
    fn the_wait_is_until_the_previous_bucket_has_slid_out_enough() {
        // Limit 10; 10 in the previous hour and 0 now, at the very start of the hour: one more
        // fits once 1/10 of the previous hour has slid out, 6 minutes.
        assert_eq!(wait_seconds(10, 0, 1, 0, HOUR, 10), 361);
        // 10 already this hour: wait for the next hour and, there, for a tenth of it.
        assert_eq!(wait_seconds(0, 10, 1, HOUR / 2, HOUR, 10), 1800 + 360 + 1);
    }

    #[test]
    fn a_request_counts_each_unit_and_reads_the_previous_bucket() {
        let window = Window {
            seconds: 3600,
            limit: 60,
        };
        let counted = Counted::new(
            "limit/user/u1/segments",
            Limit::UserSegmentsHour,
            window,
            3,
            7_200_000,
        );
        let mut ops = Vec::new();
        counted.count_ops(&mut ops);
        assert_eq!(ops.len(), counted.count_ops_len());
        assert_eq!(ops[0], Op::Get("limit/user/u1/segments/2/r".into()));
        assert_eq!(ops[2], Op::Get("limit/user/u1/segments/1".into()));
        assert_eq!(ops[5], Op::Incr("limit/user/u1/segments/2".into(), 7200));
    }
}
