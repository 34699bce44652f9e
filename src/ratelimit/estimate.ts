/**
 * What this isolate may say about a rate-limit window without waiting for Redis (issue 17): the
 * bookkeeping behind limiter.ts's local answers, pure (no I/O, times passed in).
 *
 * Per (policy, identifier) it keeps the last count Redis gave (what was left, when the window
 * resets) and the calls it has sent since that Redis has not answered. Every request still sends
 * its call; a request may be answered before that call comes back when, with every unanswered call
 * of this isolate taken off what Redis last said, at least the margin would be left after it:
 * max(2, 10 % of the limit), and at most that many calls unanswered at once. Otherwise (first sight,
 * near the limit, the window past its reset, too many calls in flight) the request waits for Redis.
 *
 * Why that margin. This isolate's own requests are all counted (every one it let through is either
 * in Redis's last count or still unanswered), and an older count only errs low (the sliding
 * window's previous bucket weighs less as time passes), so alone it never lets one request past
 * the limit. What it cannot see is other isolates using the same window since Redis last answered
 * it, about one round trip ago: the margin is the room left for them. Past the limit the bound
 * holds either way: once the window is full in Redis, calls this isolate sends come back refused,
 * and the first refusal stops local answers (the library's ephemeral cache then refuses the key
 * until its reset); before one comes back at most the margin of them can be unanswered. So at most
 * `margin` requests over the limit per isolate answering for the identifier as the window fills
 * (6 for 60 a minute), none with one isolate. 10 % keeps that bound proportional to the limit and
 * leaves room for a neighbour's requests within one round trip; at least 2 so that a small limit
 * still keeps room for one, and a limit of 3 or less is always counted in Redis before answering.
 */

/** The room kept under a limit before requests wait for Redis again: max(2, 10 % of the limit). */
export function estimateMargin(limit: number): number {
  return Math.max(2, Math.ceil(limit * 0.1));
}

/** What a Redis call answered, as the limiter reads it. */
export interface CountedWindow {
  success: boolean;
  /** Left in the window after the call's request (0 when refused). */
  remaining: number;
  /** Epoch ms when the window resets. */
  reset: number;
}

export class WindowEstimate {
  private remaining = 0;
  private reset = 0;
  /** The sequence number of the call whose answer `remaining` is (or was lowered by). */
  private answeredSeq = 0;
  private sent = 0;
  private unanswered = 0;

  constructor(private readonly margin: number) {}

  /**
   * The answer for one more request at `at`, if this isolate may give it without waiting: what
   * would be left and when the window resets, and the sequence number of the call it must send
   * (already counted as sent). Null when it must wait for Redis.
   */
  answerLocally(at: number): { remaining: number; reset: number; seq: number } | null {
    if (at >= this.reset || this.unanswered >= this.margin) return null;
    const left = this.remaining - this.unanswered - 1;
    if (left < this.margin) return null;
    return { remaining: left, reset: this.reset, seq: this.send() };
  }

  /** A call is sent to Redis (for a request that waits for it): its sequence number. */
  send(): number {
    this.unanswered += 1;
    this.sent += 1;
    return this.sent;
  }

  /** Call `seq` came back with `result`, or with nothing learned (null: timed out, failed). */
  answered(seq: number, result: CountedWindow | null): void {
    this.unanswered -= 1;
    if (!result) return;
    const left = result.success ? result.remaining : 0;
    if (result.reset > this.reset || (result.reset === this.reset && seq > this.answeredSeq)) {
      // a newer window, or a later call in this one: what it says replaces the estimate
      this.remaining = left;
      this.reset = result.reset;
      this.answeredSeq = seq;
    } else if (result.reset === this.reset) {
      // an earlier call that Redis may have counted after the later one: it can only lower the estimate
      this.remaining = Math.min(this.remaining, left);
    }
  }

  /** What is left as this isolate knows it now: Redis's last count less its unanswered calls. */
  get left(): number {
    return Math.max(0, this.remaining - this.unanswered);
  }
}
