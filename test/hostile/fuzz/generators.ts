// The fuzz inputs: one generator per way a line can be bad, picked by weight from a seeded source.
// Each input says which kind it is and, where it can be known, the outcomes it may have.

import { isPlainRequestEntry } from "../../../src/audit/classify.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../../../src/audit/framer.ts";
import { randomInt } from "../../audit/random.ts";
import { ABSENT, entryLine, GOOD_PATHS, namespaceField } from "./entries.ts";
import { HOSTILE_PATHS } from "./hostile-paths.ts";
import { breakUtf8, mutate, randomBytes, truncate } from "./mangle.ts";
import { PROTO_CASES } from "./proto-keys.ts";
import { jsonSoup, nested } from "./shapes.ts";

type Random = () => number;

export interface FuzzInput {
  kind: string;
  /** One line's bytes, without "\n" (never holds one). */
  bytes: Uint8Array;
  /** Outcomes it may have; "x*" matches any outcome starting with "x". Undefined: any, but counted. */
  expect?: readonly string[];
}

export interface GeneratorContext {
  random: Random;
  /** Real audit lines to start from. */
  seeds: readonly string[];
  /** Weight of the huge-line generator (each input costs ~1–4 MiB of work). */
  hugeWeight: number;
}

const encoder = new TextEncoder();
const WRITES = ["create", "update", "patch", "delete"];
const READ_FIELDS = [
  "type",
  "operation",
  "path",
  "namespace",
  "error",
  "mountPoint",
  "mountType",
  "remoteAddress",
  "request",
] as const;
const WRONG_VALUES: readonly unknown[] = [0, 1.5, -1, true, false, [], ["secret/data/x"], {}, { path: "x" }];
const WRONG_FOR_OBJECT: readonly unknown[] = [0, true, "team-a/", "secret/data/x", [], [{}]];

type Generator = (context: GeneratorContext) => FuzzInput;

const GENERATORS: readonly [string, number, Generator][] = [
  ["random-bytes", 10, ({ random }) => ({ kind: "random-bytes", bytes: randomBytes(random) })],
  ["json-soup", 8, ({ random }) => text("json-soup", jsonSoup(random))],
  ["truncated", 10, (c) => ({ kind: "truncated", bytes: truncate(c.random, seedBytes(c)) })],
  ["mutated", 12, (c) => ({ kind: "mutated", bytes: mutate(c.random, seedBytes(c)) })],
  [
    "invalid-utf8",
    8,
    (c) => ({
      kind: "invalid-utf8",
      bytes: breakUtf8(c.random, seedBytes(c)),
      expect: ["rejected:invalid_utf8"],
    }),
  ],
  ["deep-nesting", 2, deepNesting],
  ["wrong-type", 15, wrongType],
  ["proto-keys", 5, protoKeys],
  ["hostile-path", 15, hostilePath],
  ["good", 10, good],
  ["fixture", 5, (c) => text("fixture", c.seeds[randomInt(c.random, c.seeds.length)]!)],
];

/** Picks a generator by weight and runs it. */
export function nextInput(context: GeneratorContext): FuzzInput {
  if (context.random() < context.hugeWeight) return huge(context);
  let roll = context.random() * TOTAL_WEIGHT;
  for (const [, weight, generate] of GENERATORS) {
    roll -= weight;
    if (roll < 0) return generate(context);
  }
  return good(context);
}

export const GENERATOR_KINDS = [...GENERATORS.map(([kind]) => kind), "huge"];

const TOTAL_WEIGHT = GENERATORS.reduce((sum, [, weight]) => sum + weight, 0);

function text(kind: string, line: string, expect?: readonly string[]): FuzzInput {
  return { kind, bytes: encoder.encode(line), expect };
}

function seedBytes({ random, seeds }: GeneratorContext): Uint8Array {
  const line = random() < 0.5 ? seeds[randomInt(random, seeds.length)]! : goodLine(random);
  return encoder.encode(line);
}

function goodLine(random: Random): string {
  const { namespace, path } = GOOD_PATHS[randomInt(random, GOOD_PATHS.length)]!;
  const operation = WRITES[randomInt(random, WRITES.length)];
  return entryLine({ operation, path, namespace: namespaceField(namespace) });
}

function good({ random }: GeneratorContext): FuzzInput {
  return text("good", goodLine(random), ["sync:*"]);
}

/** One field Courier reads, set to a type Vault never writes there. */
function wrongType({ random }: GeneratorContext): FuzzInput {
  const field = READ_FIELDS[randomInt(random, READ_FIELDS.length)]!;
  const objectField = field === "request" || field === "namespace";
  const values = objectField ? WRONG_FOR_OBJECT : WRONG_VALUES;
  const value = values[randomInt(random, values.length)];
  const line = entryLine({ [field]: value });
  // A line that only looks like a request entry is counted as ignored without parsing.
  return text("wrong-type", line, [
    isPlainRequestEntry(line) ? "ignored:not_response" : "rejected:wrong_type",
  ]);
}

function deepNesting({ random }: GeneratorContext): FuzzInput {
  const { line, expect } = nested(random);
  return text("deep-nesting", line, expect);
}

function protoKeys({ random }: GeneratorContext): FuzzInput {
  const { line, expect } = PROTO_CASES[randomInt(random, PROTO_CASES.length)]!;
  return text("proto-keys", line, expect);
}

function hostilePath({ random }: GeneratorContext): FuzzInput {
  const { namespace, path, expect } = HOSTILE_PATHS[randomInt(random, HOSTILE_PATHS.length)]!;
  const operation = WRITES[randomInt(random, WRITES.length)];
  const line = entryLine({ operation, path, namespace: namespaceField(namespace), mountPoint: ABSENT });
  return text("hostile-path", line, [expect]);
}

/** A good entry whose data holds one string near, at or far over the line cap. */
function huge({ random }: GeneratorContext): FuzzInput {
  const cap = DEFAULT_MAX_LINE_BYTES;
  const empty = entryLine({ data: { value: "" } }).length;
  const targets = [cap - 1, cap, cap + 1, cap - 512 + randomInt(random, 1024), 2 * cap, 3.5 * cap];
  const target = targets[randomInt(random, targets.length)]!;
  const line = entryLine({ data: { value: "x".repeat(Math.max(0, target - empty)) } });
  const bytes = encoder.encode(line);
  return { kind: "huge", bytes, expect: [bytes.length > cap ? "oversize" : "sync:*"] };
}
