// Messages between the SQLite store and its writer thread.
import type { AppendOutcome } from './sqlite-append';
import type { NewMessage } from './types';

export interface WriterRequest {
  id: number;
  batch: { msg: NewMessage; id: string }[];
}

/** `failed`: the commit itself failed and nothing in the batch is stored. */
export type WriterReply = { id: number; outcomes: AppendOutcome[] } | { id: number; failed: string };
