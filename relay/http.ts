// HTTP: register, login, logout, healthz, and the built web client at /.
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { describeIssues, loginBody, registerBody } from '../protocol/schemas';
import type { HttpErrorCode } from '../protocol/types';
import type { Accounts } from './accounts';
import { newId } from './chat/context';
import { RelayError } from './chat/errors';
import type { Logger } from './log';
import type { Store } from './store/types';

export interface HttpDeps {
  accounts: Accounts;
  store: Store;
  log: Logger;
  webDir: string;
  loginAttempts: number;
  /** Disconnects every socket that authenticated with this token. */
  onLogout(token: string): void;
  /** False while shutting down: new requests are refused. */
  accepting(): boolean;
}

function fail(res: Response, status: number, code: HttpErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function parse<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined {
  const r = schema.safeParse(req.body);
  if (r.success) return r.data;
  fail(res, 400, 'bad_request', describeIssues(r.error));
  return undefined;
}

function bearer(req: Request): string | null {
  const m = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  return m ? m[1]! : null;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Failed logins per username and address: slows guessing far below what brute force needs.
  const loginFailures = new RateLimiterMemory({ keyPrefix: 'login', points: deps.loginAttempts, duration: 15 * 60 });

  app.use((req, res, next) => {
    if (!deps.accepting()) return fail(res, 503, 'internal', 'the relay is shutting down');
    next();
  });
  app.use('/api', express.json({ limit: '16kb', type: () => true }));

  app.post('/api/register', async (req, res) => {
    const body = parse(registerBody, req, res);
    if (!body) return;
    const auth = await deps.accounts.register(body.username, body.password, body.displayName, newId());
    if (!auth) return fail(res, 409, 'username_taken', `the username ${body.username} is taken`);
    deps.log.info({ userId: auth.user.id }, 'registered');
    res.status(201).json(auth);
  });

  app.post('/api/login', async (req, res) => {
    const body = parse(loginBody, req, res);
    if (!body) return;
    const key = `${body.username}|${req.ip ?? ''}`;
    // Every attempt takes a point before the password is checked, so guesses sent in
    // parallel are counted too; a successful sign-in gives its point back.
    try {
      await loginFailures.consume(key);
    } catch (limited) {
      if (!(limited instanceof RateLimiterRes)) throw limited;
      res.set('Retry-After', String(Math.ceil(limited.msBeforeNext / 1000)));
      return fail(res, 429, 'rate_limited', 'too many failed sign-ins; try again later');
    }
    try {
      const auth = await deps.accounts.login(body.username, body.password);
      await loginFailures.reward(key, 1);
      res.json(auth);
    } catch (e) {
      if (!(e instanceof RelayError)) throw e;
      fail(res, 401, 'unauthorized', e.message);
    }
  });

  app.post('/api/logout', async (req, res) => {
    const token = bearer(req);
    if (!token || !(await deps.accounts.logout(token))) return fail(res, 401, 'unauthorized', 'not signed in');
    deps.onLogout(token);
    res.status(204).end();
  });

  app.get('/healthz', async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ ok: true, store: deps.store.kind });
    } catch (e) {
      deps.log.error({ err: e }, 'health check failed');
      res.status(503).json({ ok: false, error: { code: 'internal', message: 'the store cannot read or write' } });
    }
  });

  app.all('/api/{*rest}', (_req, res) => fail(res, 404, 'not_found', 'no such endpoint'));

  const webDir = resolve(deps.webDir);
  if (existsSync(webDir)) {
    app.use(express.static(webDir, { index: 'index.html', maxAge: '1h' }));
    // the web client is a single page: unknown paths get it too
    app.get('/{*rest}', (_req, res) => res.sendFile(resolve(webDir, 'index.html')));
  } else {
    app.get('/', (_req, res) => res.type('text').send('relay is running; the web client is not built (npm run build:web)'));
  }

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
    if (type === 'entity.parse.failed') return fail(res, 400, 'bad_request', 'the body is not valid JSON');
    if (type === 'entity.too.large') return fail(res, 400, 'bad_request', 'the body is too large');
    // anything else body-parser blames on the request (bad Content-Encoding, a corrupt
    // gzip stream, an unknown charset) is the client's fault, not ours
    const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 0;
    if (type.startsWith('entity.') || type.startsWith('encoding.') || type.startsWith('charset.') || (status >= 400 && status < 500))
      return fail(res, 400, 'bad_request', 'the body cannot be read');
    deps.log.error({ err }, 'http request failed');
    fail(res, 500, 'internal', 'something went wrong on the relay');
  });
  return app;
}
