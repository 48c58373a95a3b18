// The relay-cost issue's bounds at the fixed offered rate, against bare socket.io's
// figures in the same run: printed by the main bench (run.ts) and by
// bench:durable-gaps, never asserted.
export const COST_TARGETS = {
  /** CPU per message at most this many times bare's */
  cpuX: 1.3,
  /** bytes written to storage per acknowledged message, at most */
  bytes: 2048,
  /** p99 delivery at most this many times bare's */
  p99X: 3,
} as const;
