// The worker side of the pool protocol: wait for init, then answer each task with its result.
// `ask` sends the main thread a question and resolves with its answer.
import type { FromWorker, ToWorker } from "./protocol.ts";

declare const self: Worker;

export type Ask = (question: unknown) => Promise<unknown>;

export interface WorkerHandlers<Init, Task, Result> {
  init(init: Init, ask: Ask): void | Promise<void>;
  run(task: Task): Promise<Result>;
  update?(update: unknown): void;
}

export function serveWorker<Init, Task, Result>(handlers: WorkerHandlers<Init, Task, Result>): void {
  let ready: Promise<void> = Promise.resolve();
  const post = (message: FromWorker<Result>) => self.postMessage(message);
  const asked = new Map<number, (answer: unknown) => void>();
  let nextQuestion = 1;
  const ask: Ask = (question) =>
    new Promise((resolve) => {
      const id = nextQuestion++;
      asked.set(id, resolve);
      post({ type: "ask", id, question });
    });

  self.addEventListener("message", (event: MessageEvent<ToWorker<Init, Task>>) => {
    const message = event.data;
    if (message.type === "init") {
      ready = Promise.resolve(handlers.init(message.init, ask)).then(() => post({ type: "ready" }));
    } else if (message.type === "update") {
      handlers.update?.(message.update);
    } else if (message.type === "answer") {
      asked.get(message.id)?.(message.answer);
      asked.delete(message.id);
    } else {
      const { id, task } = message;
      ready
        .then(() => handlers.run(task))
        .then(
          (result) => post({ type: "result", id, result }),
          (error: unknown) =>
            post({ type: "failed", id, message: error instanceof Error ? error.message : String(error) }),
        );
    }
  });
}
