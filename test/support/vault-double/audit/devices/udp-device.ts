// The socket device over udp: one datagram per entry. Sends to a port nobody listens on still
// succeed, so UDP loses entries silently; only an entry over 65,507 bytes fails (EMSGSIZE).
// A datagram to a closed port draws an ICMP port-unreachable, and the next send on that socket
// fails with connection refused. Vault's device (a connected UDP socket from net.Dial) then
// redials and writes again, which succeeds on the fresh socket: so does this one.
import type { udp } from "bun";
import { type AuditDevice, SerialQueue } from "./device.ts";

/** The largest payload one IPv4 UDP datagram can carry. */
export const MAX_UDP_PAYLOAD = 65_507;

export class UdpDevice implements AuditDevice {
  readonly #hostname: string;
  readonly #port: number;
  readonly #queue = new SerialQueue();
  #socket: udp.Socket<"uint8array"> | undefined;

  constructor(hostname: string, port: number) {
    this.#hostname = hostname;
    this.#port = port;
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#queue.run(async () => {
      if (bytes.length > MAX_UDP_PAYLOAD) throw new Error("write: message too long");
      try {
        await this.#send(bytes);
      } catch {
        this.#drop();
        await this.#send(bytes);
      }
    });
  }

  async close(): Promise<void> {
    await this.#queue.run(async () => this.#drop());
  }

  /** One datagram; throws when the send fails (e.g. ECONNREFUSED left by an earlier one). */
  async #send(bytes: Uint8Array): Promise<void> {
    this.#socket ??= await Bun.udpSocket({ binaryType: "uint8array", socket: { error() {} } });
    // false means the kernel buffer is full right now: give it one more chance after a tick.
    if (this.#socket.send(bytes, this.#port, this.#hostname)) return;
    await Bun.sleep(1);
    if (!this.#socket.send(bytes, this.#port, this.#hostname)) throw new Error("write: no buffer space");
  }

  #drop(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }
}
