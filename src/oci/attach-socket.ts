/**
 * A process's stdin through its conmon: the attach socket and the terminal control fifo, as Podman
 * uses them (conmon's conn_sock.c and ctrl.c).
 *
 * The attach socket is SOCK_SEQPACKET, which Node's net module cannot open: the npm package
 * node-unix-socket does. Each packet conmon reads (up to CONN_SOCK_BUF_SIZE, 32 KiB) goes to the
 * process's stdin; what conmon sends back (the process's output, a stream byte first) is read and
 * dropped, since Berth takes the output from the log. Closing the connection is EOF: conmon closes
 * the process's stdin (Berth never passes --leave-stdin-open), so a connection is kept for as long
 * as the process may still read.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SeqpacketSocket } from 'node-unix-socket';
import { BerthError } from '../errors.js';

/** conmon reads at most this much of a packet (CONN_SOCK_BUF_SIZE): larger ones are split. */
export const ATTACH_PACKET_MAX = 32 * 1024;

export class AttachConnection {
  private closed = false;
  private failure: Error | null = null;

  private constructor(private readonly socket: SeqpacketSocket) {
    socket.on('data', () => {});
    socket.on('error', (err: Error) => {
      this.failure = err;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Connects to the attach socket at `path`; no socket there (the process is gone) is ECTRSTOPPED. */
  static connect(path: string): Promise<AttachConnection> {
    return new Promise((resolve, reject) => {
      const socket = new SeqpacketSocket();
      const fail = (err: unknown) => {
        socket.destroy();
        reject(new BerthError('ECTRSTOPPED', `cannot connect to the attach socket ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      };
      socket.once('error', fail);
      try {
        socket.connect(path, () => {
          socket.off('error', fail);
          resolve(new AttachConnection(socket));
        });
      } catch (err) {
        fail(err);
      }
    });
  }

  get open(): boolean {
    return !this.closed && this.failure === null;
  }

  /** Writes `bytes` to the process's stdin, in packets conmon takes whole; resolves once the socket took them. */
  async write(bytes: Buffer): Promise<void> {
    for (let at = 0; at < bytes.length; at += ATTACH_PACKET_MAX) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + ATTACH_PACKET_MAX));
      await new Promise<void>((resolve, reject) => {
        if (!this.open) return reject(this.failure ?? new BerthError('ECTRSTOPPED', 'the attach socket is closed'));
        try {
          this.socket.write(piece, 0, piece.length, () => resolve());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    }
  }

  /** EOF: conmon closes the process's stdin. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.destroy();
    } catch {
      // already gone
    }
  }
}

/** Resizes the process's terminal: conmon's ctl fifo takes "<type> <rows> <cols>\n", type 1 a resize. */
export async function resizeTerminal(ctlFifo: string, rows: number, cols: number): Promise<void> {
  // conmon holds the fifo's read end open; O_NONBLOCK makes a fifo nobody reads fail (ENXIO) rather than hang
  const fifo = await open(ctlFifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fifo.write(`1 ${rows} ${cols}\n`);
  } finally {
    await fifo.close();
  }
}
