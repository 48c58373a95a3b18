// The store contract, run against the SQLite store with its message log on
// (relay/store/sqlite-message-log.ts): appends acknowledged from the log, applied to the
// tables behind, must answer every call exactly as the store without it does.
import { describe } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite';
import { defineStoreContract, type StoreBackend } from '../helpers/store-contract';
import { defineRuleStepContract } from '../helpers/store-contract-rules';

describe('SQLite store with the message log', () => {
  // applied soon and a few messages per transaction, so the contract sees messages both
  // still in the log and in the tables, and its writes run between an apply's transactions
  const sqlite: StoreBackend = { kind: 'sqlite', open: (dir) => openSqliteStore(dir, { messageLog: { enabled: true, applyMs: 30, idleMs: 30, applyChunk: 2 } }) };
  defineStoreContract(sqlite);
  describe('rule steps', () => defineRuleStepContract(sqlite));
});
