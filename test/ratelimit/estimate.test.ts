/**
 * The limiter's local estimate (src/ratelimit/estimate.ts), with times passed in: when a request
 * may be answered without waiting for Redis, and how the answers that come back (in order, out of
 * order, failed, from a newer window) move it. The end-to-end bounds against the real Redis are in
 * ratelimit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { estimateMargin, WindowEstimate } from '../../src/ratelimit/estimate';

const RESET = 60_000;

/** An estimate for a limit of 60 whose first call Redis answered with `remaining` left. */
function after(remaining: number): WindowEstimate {
  const estimate = new WindowEstimate(estimateMargin(60));
  const seq = estimate.send();
  estimate.answered(seq, { success: true, remaining, reset: RESET });
  return estimate;
}

describe('estimateMargin: max(2, 10 % of the limit)', () => {
  it.each([
    [1, 2],
    [3, 2],
    [20, 2],
    [21, 3],
    [60, 6],
    [1000, 100],
  ])('limit %i → %i', (limit, margin) => expect(estimateMargin(limit)).toBe(margin));
});

describe('WindowEstimate', () => {
  it('first sight: wait for Redis', () => {
    expect(new WindowEstimate(6).answerLocally(0)).toBeNull();
  });

  it('far from the limit: answered at once, counting itself and every unanswered call', () => {
    const estimate = after(59);
    expect(estimate.answerLocally(1_000)).toEqual({ remaining: 58, reset: RESET, seq: 2 });
    expect(estimate.answerLocally(1_000)).toEqual({ remaining: 57, reset: RESET, seq: 3 });
    expect(estimate.left).toBe(57);
  });

  it('answers locally only while the margin would be left after the request', () => {
    expect(after(7).answerLocally(1_000)).toMatchObject({ remaining: 6 });
    expect(after(6).answerLocally(1_000)).toBeNull();
  });

  it('at most the margin of calls unanswered at once', () => {
    const estimate = after(59);
    for (let i = 0; i < 6; i++) expect(estimate.answerLocally(1_000)).not.toBeNull();
    expect(estimate.answerLocally(1_000)).toBeNull();
    estimate.answered(2, { success: true, remaining: 58, reset: RESET });
    expect(estimate.answerLocally(1_000)).not.toBeNull();
  });

  it('past its reset: wait for Redis', () => {
    expect(after(59).answerLocally(RESET)).toBeNull();
  });

  it('a refusal stops local answers (the window is full elsewhere)', () => {
    const estimate = after(59);
    const local = estimate.answerLocally(1_000);
    estimate.answered(local?.seq ?? 0, { success: false, remaining: 0, reset: RESET });
    expect(estimate.answerLocally(1_001)).toBeNull();
  });

  it('answers out of order: a later call replaces, an earlier one can only lower the count', () => {
    const estimate = after(59);
    const a = estimate.answerLocally(1_000)?.seq ?? 0;
    const b = estimate.answerLocally(1_000)?.seq ?? 0;
    // b reached Redis first (57 left, a not counted), then a (a counted after b: 40 left, others counted too)
    estimate.answered(b, { success: true, remaining: 57, reset: RESET });
    expect(estimate.left).toBe(56); // a still unanswered
    estimate.answered(a, { success: true, remaining: 40, reset: RESET });
    expect(estimate.left).toBe(40);
    // an earlier call with a higher count does not raise it
    const c = estimate.answerLocally(1_000)?.seq ?? 0;
    const d = estimate.answerLocally(1_000)?.seq ?? 0;
    estimate.answered(d, { success: true, remaining: 37, reset: RESET });
    estimate.answered(c, { success: true, remaining: 38, reset: RESET });
    expect(estimate.left).toBe(37);
  });

  it('a newer window replaces the estimate whatever the order; an older one is ignored; a failed call teaches nothing', () => {
    const estimate = after(10);
    const a = estimate.send();
    const b = estimate.send();
    estimate.answered(b, { success: true, remaining: 50, reset: RESET + 60_000 });
    estimate.answered(a, { success: true, remaining: 3, reset: RESET });
    expect(estimate.left).toBe(50);
    const c = estimate.send();
    estimate.answered(c, null);
    expect(estimate.left).toBe(50);
  });
});
