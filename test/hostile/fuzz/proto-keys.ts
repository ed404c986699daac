// Entries that carry "__proto__", "constructor" and "prototype" where a careless reader would
// walk into the prototype chain. JSON.parse makes them plain own keys, so none may change what an
// entry means, and nothing may leak onto Object.prototype (the run checks that at the end).
import { entryLine } from "./entries.ts";

export interface ProtoCase {
  line: string;
  expect: readonly string[];
}

const write = '"operation":"update","path":"secret/data/x"';

export const PROTO_CASES: readonly ProtoCase[] = [
  // Every field only under __proto__: the entry has none of them.
  { line: `{"__proto__":{"type":"response","request":{${write}}}}`, expect: ["rejected:missing_field"] },
  { line: `{"type":"response","request":{"__proto__":{${write}}}}`, expect: ["rejected:missing_field"] },
  {
    line: `{"type":"response","constructor":{"prototype":{"request":{${write}}}}}`,
    expect: ["rejected:missing_field"],
  },
  // A real entry with them beside its fields: they change nothing.
  {
    line: `{"__proto__":{"type":"request"},"type":"response","request":{${write}}}`,
    expect: ["sync:kv::secret/:x"],
  },
  {
    line: `{"type":"response","request":{${write},"__proto__":null,"constructor":1},"__proto__":[]}`,
    expect: ["sync:kv::secret/:x"],
  },
  {
    line: `{"type":"response","hasOwnProperty":1,"request":{"operation":"update","path":"kv/x","toString":"x","valueOf":{}}}`,
    expect: ["sync:kv::kv/:x"],
  },
  // A namespace whose path sits only under __proto__ is the root namespace.
  {
    line: entryLine({
      path: "secret/data/x",
      namespace: JSON.parse('{"id":"n","__proto__":{"path":"team-a/"}}'),
    }),
    expect: ["sync:kv::secret/:x"],
  },
  // As names they are names like any other.
  { line: entryLine({ path: "secret/data/__proto__" }), expect: ["sync:kv::secret/:__proto__"] },
  {
    line: entryLine({ path: "secret/data/constructor/prototype" }),
    expect: ["sync:kv::secret/:constructor/prototype"],
  },
  { line: entryLine({ path: "kv/__proto__/x" }), expect: ["sync:kv::kv/:__proto__/x"] },
  {
    line: entryLine({ path: "sys/policies/acl/__proto__" }),
    expect: ["sync:policy::sys/policies/acl/:__proto__"],
  },
  {
    line: entryLine({ path: "sys/policies/acl/constructor" }),
    expect: ["sync:policy::sys/policies/acl/:constructor"],
  },
  { line: entryLine({ operation: "__proto__" }), expect: ["ignored:not_a_write"] },
  { line: entryLine({ operation: "constructor" }), expect: ["ignored:not_a_write"] },
  { line: entryLine({ operation: "hasOwnProperty" }), expect: ["ignored:not_a_write"] },
  { line: entryLine({ error: "__proto__" }), expect: ["ignored:failed_request"] },
  {
    line: entryLine({ mountPoint: "__proto__", mountType: "constructor" }),
    expect: ["sync:kv::secret/:app/db"],
  },
  { line: entryLine({ type: "__proto__" }), expect: ["ignored:not_response"] },
];
