// Test support: loopback listeners that record what an audit device sends them.
import { createServer, type Server, type Socket } from "node:net";

export interface StreamListener {
  port: number;
  /** Everything received, per connection, decoded as text. */
  received: string[];
  text(): string;
  connections(): number;
  /** Resolves once `n` newline-terminated lines have arrived in total. */
  lines(n: number): Promise<string[]>;
  /** Closes every open connection from the server side (the device must redial). */
  dropConnections(): void;
  stop(): Promise<void>;
}

/** A TCP listener on 127.0.0.1 (a given port, or any), or a unix socket when `unixPath` is given. */
export async function streamListener(unixPath?: string, port = 0): Promise<StreamListener> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let waiter: (() => void) | undefined;
  const server: Server = createServer((socket) => {
    const index = received.push("") - 1;
    sockets.add(socket);
    socket.on("data", (chunk) => {
      received[index] += chunk.toString("utf8");
      waiter?.();
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => {
    if (unixPath) server.listen(unixPath, resolve);
    else server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const text = () => received.join("");
  return {
    port: typeof address === "object" && address ? address.port : 0,
    received,
    text,
    connections: () => received.length,
    async lines(n) {
      const deadline = Date.now() + 5000;
      while (text().split("\n").length - 1 < n) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${n} lines; got ${JSON.stringify(text())}`);
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 50);
        });
      }
      return text().split("\n").slice(0, n);
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP peer that accepts connections and never reads from them. */
export async function stalledListener(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.pause();
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface UdpListener {
  port: number;
  datagrams: string[];
  /** Resolves once `n` datagrams have arrived. */
  waitFor(n: number): Promise<string[]>;
  stop(): void;
}

export async function udpListener(): Promise<UdpListener> {
  const datagrams: string[] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(_s, buf) {
        datagrams.push(new TextDecoder().decode(buf));
      },
      error() {},
    },
  });
  return {
    port: socket.port,
    datagrams,
    async waitFor(n) {
      const deadline = Date.now() + 5000;
      while (datagrams.length < n) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${n} datagrams; got ${datagrams.length}`);
        await Bun.sleep(5);
      }
      return datagrams.slice(0, n);
    },
    stop: () => socket.close(),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
