// The relay-cost issue's bounds, against bare socket.io's
// figures in the same run: printed by the main bench (run.ts) and by
// bench:durable-gaps, never asserted.
export const COST_TARGETS = {
  /** CPU per message at most this many times bare's */
  cpuX: 1.3,
  /** bytes written to storage per acknowledged message, at most */
  bytes: 2048,
  /** p99 delivery at most this many times bare's */
  p99X: 3,
  /** full-speed throughput at least this many times bare's */
  fullSpeedX: 0.8,
  /** memory per idle client at most this many times bare's */
  memoryX: 1.2,
} as const;
