// What `courier setup` says as it goes, and its dry run: every Vault call and every file is noted
// here first; in a dry run only the calls that change nothing are sent, and the rest are printed
// as "would send" / "would write". Request bodies are printed only for the audit device calls,
// which carry no secret.

export interface SetupOutput {
  /** The report, for stdout. */
  out(text: string): void;
  /** Warnings, for stderr. */
  err(text: string): void;
}

export const PROCESS_OUTPUT: SetupOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export interface NotedCall {
  method: string;
  /** Full URL, without query: "http://127.0.0.1:8200/v1/sys/audit/courier". */
  url: string;
  namespace: string;
  /** Printed after the URL; only for bodies known to hold no secret. */
  body?: unknown;
}

export class Journal {
  constructor(
    readonly dryRun: boolean,
    private readonly output: SetupOutput,
  ) {
    if (dryRun) this.say('dry run: nothing will be changed; lines starting with "would" are not done');
  }

  say(line: string): void {
    this.output.out(`${line}\n`);
  }

  warn(line: string): void {
    this.output.err(`courier: warning: ${line}\n`);
  }

  /** A call that reads; sent in a dry run too, and listed there. */
  read(call: NotedCall): void {
    if (this.dryRun) this.say(formatCall(call));
  }

  /** A call that changes the Vault: true when it may be sent. */
  change(call: NotedCall): boolean {
    if (this.dryRun) this.say(`would send ${formatCall(call)}`);
    return !this.dryRun;
  }

  /** A file to write: true when it may be written. */
  file(path: string, mode: number): boolean {
    if (this.dryRun) this.say(`would write ${path} (mode ${mode.toString(8).padStart(4, "0")})`);
    return !this.dryRun;
  }
}

/**
 * formatCall({method:"PUT",url:"http://v:8200/v1/sys/audit/courier",namespace:"",body:{type:"socket"}})
 *   → 'PUT http://v:8200/v1/sys/audit/courier {"type":"socket"}'
 */
export function formatCall(call: NotedCall): string {
  const namespace = call.namespace ? ` (namespace ${call.namespace})` : "";
  const body = call.body === undefined ? "" : ` ${JSON.stringify(call.body)}`;
  return `${call.method} ${call.url}${namespace}${body}`;
}
