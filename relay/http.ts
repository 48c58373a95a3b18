// HTTP: register, login, logout, healthz, and the built web client at /.
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { describeIssues, loginBody, registerBody } from '../protocol/schemas';
import type { HttpErrorCode } from '../protocol/types';
import type { Accounts } from './accounts';
import { newId } from './chat/context';
import { RelayError } from './chat/errors';
import type { Limiter, LimiterFactory } from './limiters';
import type { Logger } from './log';
import { originAllowed } from './origins';
import { HasherBusyError } from './password-hasher';
import type { Store } from './store/types';

export interface HttpDeps {
  accounts: Accounts;
  store: Store;
  log: Logger;
  webDir: string;
  loginAttempts: number;
  /** Sign-in attempts from one address in 15 minutes, whatever the usernames. */
  loginAttemptsPerAddress: number;
  /** Accounts created from one address in an hour. */
  registrationsPerAddress: number;
  /** Express's "trust proxy": false, or how many proxies in front of the relay to believe. */
  trustProxy: number | false;
  /** Browser origins allowed besides the relay's own and the desktop app's. */
  allowedOrigins: readonly string[];
  /** Makes the sign-in and sign-up limiters (counted across relays when joined). */
  limiters: LimiterFactory;
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

/** Answers 429 with Retry-After when the limiter refuses; true when the request may go on. */
async function take(limiter: Limiter, key: string, res: Response, message: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (limited) {
    if (!(limited instanceof RateLimiterRes)) throw limited;
    res.set('Retry-After', String(Math.ceil(limited.msBeforeNext / 1000)));
    fail(res, 429, 'rate_limited', message);
    return false;
  }
}

function busy(res: Response): void {
  res.set('Retry-After', '1');
  fail(res, 429, 'rate_limited', 'too many sign-ins at once; try again in a moment');
}

/** The Host this request was sent to: behind a trusted proxy, the one the browser used. */
function requestHost(req: Request, trustProxy: number | false): string | undefined {
  const forwarded = trustProxy ? req.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return forwarded || req.get('host');
}

/**
 * The web client's own policy: scripts, styles and connections only to this relay
 * (ws: and wss: to the same host for socket.io), never framed, no referrer sent.
 */
function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Seen by health checks: a probe of the store at most this old answers for it. */
const HEALTH_PROBE_MAX_AGE_MS = 1000;

function bearer(req: Request): string | null {
  const m = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  return m ? m[1]! : null;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  // Failed logins per username and address: slows guessing far below what brute force needs.
  const limiter = deps.limiters;
  const loginFailures = limiter({ keyPrefix: 'login', points: deps.loginAttempts, duration: 15 * 60 });
  // Per address whatever the username: random usernames must not get round the limit
  // above. Set for a class behind one school address, far above what it needs.
  const loginsPerAddress = limiter({ keyPrefix: 'login-addr', points: deps.loginAttemptsPerAddress, duration: 15 * 60 });
  const registrationsPerAddress = limiter({ keyPrefix: 'register-addr', points: deps.registrationsPerAddress, duration: 3600 });

  app.use((req, res, next) => {
    if (!deps.accepting()) return fail(res, 503, 'internal', 'the relay is shutting down');
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    next();
  });
  app.use('/api', (req, res, next) => {
    // Another site's page may not use a visitor's browser to reach the API.
    if (!originAllowed(req.get('origin'), requestHost(req, deps.trustProxy), deps.allowedOrigins)) {
      return fail(res, 403, 'forbidden', 'requests from this origin are not allowed');
    }
    // JSON only: a form post (which any site can make without asking) is never read.
    const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
    if (hasBody && !req.is('application/json')) return fail(res, 400, 'bad_request', 'the body must be JSON (Content-Type: application/json)');
    next();
  });
  app.use('/api', express.json({ limit: '16kb', type: 'application/json' }));

  app.post('/api/register', async (req, res) => {
    const body = parse(registerBody, req, res);
    if (!body) return;
    if (!(await take(registrationsPerAddress, req.ip ?? '', res, 'too many new accounts from this address; try again later'))) return;
    let auth: Awaited<ReturnType<Accounts['register']>>;
    try {
      auth = await deps.accounts.register(body.username, body.password, body.displayName, newId());
    } catch (e) {
      if (!(e instanceof HasherBusyError)) throw e;
      await registrationsPerAddress.reward(req.ip ?? '', 1);
      return busy(res);
    }
    if (!auth) return fail(res, 409, 'username_taken', `the username ${body.username} is taken`);
    deps.log.info({ userId: auth.user.id }, 'registered');
    res.status(201).json(auth);
  });

  app.post('/api/login', async (req, res) => {
    const body = parse(loginBody, req, res);
    if (!body) return;
    const address = req.ip ?? '';
    const key = `${body.username}|${address}`;
    // Every attempt takes a point before the password is checked, so guesses sent in
    // parallel are counted too; a successful sign-in gives its points back.
    if (!(await take(loginsPerAddress, address, res, 'too many sign-ins from this address; try again later'))) return;
    if (!(await take(loginFailures, key, res, 'too many failed sign-ins; try again later'))) {
      await loginsPerAddress.reward(address, 1);
      return;
    }
    try {
      const auth = await deps.accounts.login(body.username, body.password);
      await Promise.all([loginFailures.reward(key, 1), loginsPerAddress.reward(address, 1)]);
      res.json(auth);
    } catch (e) {
      if (e instanceof HasherBusyError) {
        // Not an attempt at all: nothing was checked.
        await Promise.all([loginFailures.reward(key, 1), loginsPerAddress.reward(address, 1)]);
        return busy(res);
      }
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

  // A probe of the store is a durable write: health checks share one per second, so
  // polling /healthz (or flooding it) never adds disk flushes in front of messages. A
  // failed probe is not reused: the next check looks again, so recovery shows at once.
  let lastGood = -Infinity;
  let running: Promise<boolean> | null = null;
  const storeHealthy = (): Promise<boolean> => {
    if (Date.now() - lastGood < HEALTH_PROBE_MAX_AGE_MS) return Promise.resolve(true);
    if (running) return running;
    const startedAt = Date.now();
    const probe = deps.store.ping().then(
      () => {
        lastGood = startedAt;
        return true;
      },
      (e: unknown) => {
        deps.log.error({ err: e }, 'health check failed');
        return false;
      },
    );
    running = probe.finally(() => (running = null));
    return running;
  };
  app.get('/healthz', async (_req, res) => {
    if (await storeHealthy()) return res.json({ ok: true, store: deps.store.kind });
    res.status(503).json({ ok: false, error: { code: 'internal', message: 'the store cannot read or write' } });
  });

  app.all('/api/{*rest}', (_req, res) => fail(res, 404, 'not_found', 'no such endpoint'));

  const webDir = resolve(deps.webDir);
  if (existsSync(webDir)) {
    app.use((req, res, next) => {
      res.set('Content-Security-Policy', contentSecurityPolicy(requestHost(req, deps.trustProxy)));
      next();
    });
    app.use(express.static(webDir, { index: 'index.html', maxAge: '1h' }));
    // The web client is a single page: other page paths get it too. A file that is not
    // there (/favicon.ico, a stale asset) is a 404, never the page in its place.
    app.get('/{*rest}', (req, res) => {
      if (extname(req.path) !== '') return res.status(404).type('text').send('not found');
      res.sendFile(resolve(webDir, 'index.html'));
    });
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
