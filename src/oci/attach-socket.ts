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
import { basename, dirname } from 'node:path';
import { BerthError } from '../errors.js';

/** sun_path's size on Linux, its NUL included. */
const SUN_PATH_MAX = 108;

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
    // conmon closed its side: nothing more comes, the socket can go
    socket.on('end', () => this.destroy());
  }

  /**
   * Connects to the attach socket at `path`; no socket there (the process is gone) is ECTRSTOPPED.
   * A path longer than a socket address takes (108 bytes: an exec session's, under its container's
   * and its own 64-digit ids) is reached through its dir's fd, /proc/self/fd/N/attach, as Podman does.
   */
  static async connect(path: string): Promise<AttachConnection> {
    if (Buffer.byteLength(path) < SUN_PATH_MAX) return AttachConnection.connectTo(path, path);
    const dir = await open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY).catch((err: unknown) => {
      throw new BerthError('ECTRSTOPPED', `cannot connect to the attach socket ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    try {
      return await AttachConnection.connectTo(`/proc/self/fd/${dir.fd}/${basename(path)}`, path);
    } finally {
      await dir.close();
    }
  }

  private static connectTo(address: string, path: string): Promise<AttachConnection> {
    return new Promise((resolve, reject) => {
      const socket = new SeqpacketSocket();
      const fail = (err: unknown) => {
        socket.destroy();
        reject(new BerthError('ECTRSTOPPED', `cannot connect to the attach socket ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      };
      socket.once('error', fail);
      try {
        socket.connect(address, () => {
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

  /**
   * EOF: conmon closes the process's stdin. A half-close (shutdown of the write side), not a
   * close: a unix socket closed with unread data in its receive queue (the process's output,
   * which conmon also sends here) resets the peer, and conmon's next read then fails with
   * ECONNRESET before the packets still queued for it, which are lost, and the process's stdin is
   * never closed. The socket goes once conmon closes its side (the process has ended), or at a
   * second close().
   */
  close(): void {
    if (this.closed) return this.destroy();
    this.closed = true;
    try {
      this.socket.end();
    } catch {
      this.destroy();
    }
  }

  private destroy(): void {
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
