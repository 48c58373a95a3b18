// Arbitraries of hostile payloads for fuzzing the relay, and the oracle that says what
// the relay receives: the socket.io wire is JSON (NaN and Infinity become null, -0
// becomes 0, undefined fields vanish) with binary parts carried beside it.
import fc from 'fast-check';

/** Objects parsed from JSON, so `__proto__` is an own key exactly as on the wire. */
const OPERATOR_JSON = [
  '{"$gt": ""}',
  '{"$ne": null}',
  '{"$where": "sleep(5000) || true"}',
  '{"$regex": ".*"}',
  '{"$in": ["a", "b"]}',
  '{"$expr": {"$eq": [1, 1]}}',
  '{"__proto__": {"polluted": true, "chatId": "x"}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"toString": "x", "valueOf": 1}',
  '{"length": 1e9}',
  '{"_placeholder": true, "num": 0}',
];

export const operatorObject: fc.Arbitrary<unknown> = fc.constantFrom(...OPERATOR_JSON).map((s) => JSON.parse(s) as unknown);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('$gt', '$where', '$ne', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'ok', 'error', ''),
  fc.string({ maxLength: 12 }),
);

const odd = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1e308,
  -1e308,
  5e-324,
  1.5,
  -1,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  null,
  '',
  ' ',
  '\u0000',
  '\n\t ',
  '\u202e\u200b',
  'a'.repeat(10_000),
  '😀'.repeat(3000),
  '${7*7}{{7*7}}',
  "' OR 1=1 --",
  '"; DROP TABLE messages; --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  '[object Object]',
);

/** A value of the wrong kind for almost any field. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: odd },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 2, arbitrary: operatorObject },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.object({ maxDepth: 2, maxKeys: 3 }) },
);

/** fc.anything with the exotic kinds turned on; no bigint (JSON cannot carry it). */
export const anything: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 3,
  maxKeys: 4,
  key: hostileKey,
  withBoxedValues: true,
  withNullPrototype: true,
  withSparseArray: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
});

/** Nesting far deeper than any payload needs, as objects or arrays. */
export const deepNest: fc.Arbitrary<unknown> = fc.tuple(fc.integer({ min: 50, max: 2000 }), fc.boolean(), fc.string({ maxLength: 8 })).map(([depth, asArray, key]) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { [key || 'a']: v };
  return v;
});

export const binary: fc.Arbitrary<Buffer> = fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((a) => Buffer.from(a));

/** Adds keys as own enumerable properties (an object literal would treat `__proto__` specially). */
export function withKeys(base: object, extra: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of extra) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** A record of the given fields, each optional, plus hostile extra keys now and then. */
export function fieldsPayload(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.oneof({ weight: 3, arbitrary: fc.constant<[string, unknown][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(hostileKey, weird), { maxLength: 2 }) }),
    )
    .map(([base, extra]) => withKeys(base, extra));
}

/** Mirrors socket.io-parser's hasBinary: what travels as an attachment. */
export function hasBinary(v: unknown, depth = 0): boolean {
  if (!v || typeof v !== 'object' || depth > 5000) return false;
  if (Array.isArray(v)) return v.some((x) => hasBinary(x, depth + 1));
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return true;
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return hasBinary((toJSON as () => unknown).call(v), depth + 1);
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && hasBinary((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/**
 * What the relay sees as the first argument, for payloads without binary parts: the
 * JSON round trip socket.io makes (an absent payload arrives as undefined).
 */
export function onTheWire(args: unknown[]): unknown {
  if (args.length === 0) return undefined;
  return (JSON.parse(JSON.stringify([args[0]])) as unknown[])[0];
}
