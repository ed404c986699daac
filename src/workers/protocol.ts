// Messages between the main thread and a pool worker. Plain data only: it crosses postMessage.
// Besides tasks, a worker may ask the main thread a question (its Vault token) and wait for the
// answer; the main thread also sends every worker the same update unasked (a new token).

export type ToWorker<Init, Task> =
  | { type: "init"; init: Init }
  | { type: "task"; id: number; task: Task }
  | { type: "update"; update: unknown }
  | { type: "answer"; id: number; answer: unknown };

export type FromWorker<Result> =
  | { type: "ready" }
  | { type: "result"; id: number; result: Result }
  | { type: "failed"; id: number; message: string }
  | { type: "ask"; id: number; question: unknown };
