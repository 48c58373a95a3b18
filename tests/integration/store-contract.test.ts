// One contract, every backend: the SQLite file store always, MongoDB where one can run
// (MONGODB_URI, or a mongodb-memory-server replica set of one), skipped with the reason
// printed otherwise.
import { afterAll, describe } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite';
import { openMongoStore } from '../../relay/store/mongo';
import { defineStoreContract, type StoreBackend } from '../helpers/store-contract';
import { defineRuleStepContract } from '../helpers/store-contract-rules';
import { dropDatabases, findMongo, randomDbName } from '../helpers/mongo';

const mongo = await findMongo();
if (!mongo.available) console.warn(`[store-contract] skipping the MongoDB store: ${mongo.reason}`);

describe('SQLite store', () => {
  const sqlite: StoreBackend = { kind: 'sqlite', open: (dir) => openSqliteStore(dir) };
  defineStoreContract(sqlite);
  describe('rule steps', () => defineRuleStepContract(sqlite));
});

describe.skipIf(!mongo.available)('MongoDB store', () => {
  // The tests are defined even when skipped, so the run lists each one as skipped.
  const uri = (): string => {
    if (!mongo.available) throw new Error(mongo.reason);
    return mongo.uri;
  };
  // Each test's temp dir stands for one fresh database; reopening the dir reopens it.
  const dbNames = new Map<string, string>();
  const prefix = randomDbName('contract');

  afterAll(async () => {
    if (mongo.available) await mongo.stop();
  });

  const backend: StoreBackend = {
    kind: 'mongo',
    open: (dir) => {
      let name = dbNames.get(dir);
      if (!name) {
        name = `${prefix}_${dbNames.size}`;
        dbNames.set(dir, name);
      }
      return openMongoStore(uri(), name);
    },
    destroy: async (dir) => {
      const name = dbNames.get(dir);
      if (name) await dropDatabases(uri(), [name]);
    },
  };
  defineStoreContract(backend);
  describe('rule steps', () => defineRuleStepContract(backend));
});
