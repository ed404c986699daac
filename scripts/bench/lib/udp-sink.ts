// The simplest UDP reader that still does the unavoidable work: a socket with the same 8 MiB
// receive buffer Courier asks for, and JSON.parse of every datagram. Run as its own process by
// the udp-loss benchmark, as the ceiling Courier's listener is measured against. Prints its port.
//   bun scripts/bench/lib/udp-sink.ts

import {
  DEFAULT_RECEIVE_BUFFER_BYTES,
  findUdpSocket,
  raiseReceiveBuffer,
} from "../../../src/audit/listeners/udp.ts";

const decoder = new TextDecoder();
let parsed = 0;
const socket = await Bun.udpSocket({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(_socket, data) {
      if (JSON.parse(decoder.decode(data)) !== null) parsed++;
    },
    error() {},
  },
});
const found = findUdpSocket(socket.port, (socket as { fd?: number }).fd);
const granted = found ? raiseReceiveBuffer(found.fd, DEFAULT_RECEIVE_BUFFER_BYTES).granted : undefined;
console.log(JSON.stringify({ port: socket.port, receiveBuffer: granted }));
process.on("SIGTERM", () => {
  console.log(JSON.stringify({ parsed }));
  process.exit(0);
});
