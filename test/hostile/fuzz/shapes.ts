// Inputs built from JSON's own pieces: token soup that is sometimes JSON and mostly not, and
// nesting deep enough to break a recursive parser.
import { DEFAULT_MAX_LINE_BYTES } from "../../../src/audit/framer.ts";
import { randomInt } from "../../audit/random.ts";

type Random = () => number;

const TOKENS = [
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  " ",
  '"',
  "\\",
  '"type"',
  '"response"',
  '"request"',
  '"operation"',
  '"update"',
  '"delete"',
  '"path"',
  '"secret/data/x"',
  '"sys/policies/acl/root"',
  '"namespace"',
  '"error"',
  '"__proto__"',
  "null",
  "true",
  "false",
  "0",
  "-0",
  "1e999",
  "NaN",
  "0x10",
  "Infinity",
  '"\\u0000"',
  '"\\ud800"',
  '"\\u002e\\u002e"',
  '"\\/"',
  '"\\n"',
  "\u2028",
  "\t",
  "\r",
] as const;

/** 1–60 JSON tokens in random order: jsonSoup(r) → '{"type" :[null,"\\ud800"' */
export function jsonSoup(random: Random): string {
  const count = 1 + randomInt(random, 60);
  let out = "";
  for (let i = 0; i < count; i++) out += TOKENS[randomInt(random, TOKENS.length)];
  return out.trim() === "" ? "{" : out;
}

export interface NestedInput {
  line: string;
  expect: readonly string[];
}

/**
 * Nesting from 1 to ~300,000 levels deep (log-uniform), in one of five places, with the
 * outcome it must have; lines over the cap are oversize whatever they hold.
 */
export function nested(random: Random): NestedInput {
  const depth = Math.floor(Math.exp(random() * Math.log(300_000)));
  const arrays = "[".repeat(depth) + "]".repeat(depth);
  const write = '"operation":"update","path":"secret/data/x"';
  let line: string;
  let expect: string;
  switch (randomInt(random, 5)) {
    case 0:
      line = `{"type":"response","request":{${write},"data":${arrays}}}`;
      expect = "sync:kv::secret/:x";
      break;
    case 1:
      line = arrays;
      expect = "rejected:not_an_object";
      break;
    case 2:
      line = `{"type":"response","request":{${write},"data":${"[".repeat(depth)}}}`;
      expect = "rejected:invalid_json";
      break;
    case 3:
      line = `{"type":"response","request":${'{"request":'.repeat(depth)}{}${"}".repeat(depth)}}`;
      expect = "rejected:missing_field";
      break;
    default:
      line = `{"type":"response","request":{${write},"namespace":{"path":${arrays}}}}`;
      expect = "rejected:wrong_type";
  }
  return { line, expect: [line.length > DEFAULT_MAX_LINE_BYTES ? "oversize" : expect] };
}
