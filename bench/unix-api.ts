/**
 * A REST API over a unix socket (node:http, keep-alive), as Podman's service and dockerd serve
 * theirs: JSON bodies in, status and text out. The bench's PodmanApi and DockerApi extend it.
 */
import { Agent, request } from 'node:http';

export class UnixSocketApi {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  /** `prefix`: the API's version path (`/v1.41`, `/v4.0.0/libpod`); `what`: its name in errors. */
  constructor(
    readonly socket: string,
    private readonly prefix: string,
    private readonly what: string,
  ) {}

  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const headers = data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
      const req = request({ socketPath: this.socket, agent: this.agent, method, path: `${this.prefix}${path}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Fails unless the status is 2xx; resolves to the body. */
  async ok(method: string, path: string, body?: unknown): Promise<string> {
    const r = await this.call(method, path, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${this.what} API ${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
    return r.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
