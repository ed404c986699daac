// The least a receiver of audit lines can do: read the socket, cut lines at "\n", JSON.parse each.
// No size cap, no UTF-8 check, no allowlist, no classification. The ingest benchmark runs it in the
// same rounds as Courier's listener, to show how much of a socket figure is the socket's own cost.

export interface BareReceiver {
  port: number;
  close(): Promise<void>;
}

/** bareReceiver("tcp", onParsed) → a listener on a free port calling onParsed once per line */
export async function bareReceiver(transport: "tcp" | "udp", onParsed: () => void): Promise<BareReceiver> {
  const decoder = new TextDecoder();
  const parse = (text: string) => {
    if (JSON.parse(text) !== null) onParsed();
  };
  if (transport === "udp") {
    const socket = await Bun.udpSocket({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data: (_socket, data) => parse(decoder.decode(data)),
        error() {},
      },
    });
    return { port: socket.port, close: async () => socket.close() };
  }
  let carry = "";
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(_socket, data) {
        const text = carry + decoder.decode(data);
        let start = 0;
        for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
          if (nl > start) parse(text.slice(start, nl));
          start = nl + 1;
        }
        carry = text.slice(start);
      },
    },
  });
  return { port: server.port, close: async () => server.stop(true) };
}
