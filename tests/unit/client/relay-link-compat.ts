// Compile-time check (run by `npm run typecheck`): the connection core fits what the
// Electron main process expects of it (electron/relay-link.ts, electron/session.ts),
// so main.ts wires it with no adapter.
import * as auth from '../../../client/auth';
import { FileQueueStorage } from '../../../client/file-queue-storage';
import { RelayConnection } from '../../../client/connection';
import type { CreateLink, RelayLink } from '../../../electron/relay-link';
import type { SessionAuth } from '../../../electron/session';

export const sessionAuth: SessionAuth = auth;

export const createLink: CreateLink = (session): RelayLink =>
  new RelayConnection({ url: session.relayUrl, storage: new FileQueueStorage(`/tmp/outbox-${session.user.id}.json`) });
