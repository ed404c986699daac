// Messages between the main thread and a pool worker. Plain data only: it crosses postMessage.

export type ToWorker<Init, Task> =
  | { type: "init"; init: Init }
  | { type: "task"; id: number; task: Task }
  | { type: "update"; update: unknown };

export type FromWorker<Result> =
  | { type: "ready" }
  | { type: "result"; id: number; result: Result }
  | { type: "failed"; id: number; message: string };
