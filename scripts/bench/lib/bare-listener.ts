// The least a UDP audit listener can be, compiled the way Courier is: the runtime starts, binds the
// port given (8 MiB receive buffer, as Courier asks), prints one line and waits. Its start-up time
// and resident memory are the floor Courier's are measured against.
//   dist/bench/bare-listener <port>

import { findUdpSocket, raiseReceiveBuffer } from "../../../src/audit/listeners/udp.ts";

const port = Number(process.argv[2] ?? 0);
let received = 0;
const socket = await Bun.udpSocket({
  hostname: "127.0.0.1",
  port,
  socket: {
    data() {
      received++;
    },
    error() {},
  },
});
const found = findUdpSocket(socket.port, (socket as { fd?: number }).fd);
if (found) raiseReceiveBuffer(found.fd, 8 * 1024 * 1024);
console.error(JSON.stringify({ msg: "listening for audit entries", port: socket.port }));
process.on("SIGTERM", () => process.exit(received >= 0 ? 0 : 1));
